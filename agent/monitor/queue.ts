import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { MonitorInterval } from '../../contracts/monitor';
import type { Log } from '../log';

// The intervals the cloud has not acknowledged yet, oldest first. Kept in a file in
// the agent's state directory so a restart loses nothing: one header line with the
// next seq, then one interval per line. A new interval is appended (an SD card is not
// rewritten every minute during a long outage); an acknowledgement or a trim rewrites
// the file atomically. Bounded: once full, the oldest go first, and the log says so.

const Header = z.object({ next: z.number().int().nonnegative() });

export interface MonitorQueueOptions {
  /** No file: in memory only (tests, a box without a state directory). */
  file?: string;
  /** The most intervals kept. */
  limit: number;
  log: Log;
}

export interface MonitorQueue {
  /** The seq the next interval gets. */
  readonly nextSeq: number;
  readonly size: number;
  push(make: (seq: number) => MonitorInterval): MonitorInterval;
  /** The oldest `max` intervals, to send. */
  batch(max: number): MonitorInterval[];
  /** The cloud stored everything up to `seq`: those intervals leave the queue. */
  ack(seq: number): number;
}

export function createMonitorQueue(options: MonitorQueueOptions): MonitorQueue {
  const { file, limit, log } = options;
  const loaded = file ? load(file, log) : { next: 0, intervals: [] };
  let intervals = loaded.intervals;
  let next = loaded.next;
  // Dropping an hour's worth at once keeps a full queue from being rewritten every interval.
  const trimBy = Math.max(1, Math.ceil(limit / 48));

  const rewrite = () => {
    if (!file) return;
    const lines = [JSON.stringify({ next }), ...intervals.map((i) => JSON.stringify(i))];
    const temp = `${file}.tmp`;
    writeFileSync(temp, lines.join('\n') + '\n', { mode: 0o600 });
    renameSync(temp, file);
  };
  if (file && !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    rewrite();
  }

  return {
    get nextSeq() {
      return next;
    },
    get size() {
      return intervals.length;
    },
    push(make) {
      const interval = make(next);
      next = interval.seq + 1;
      intervals.push(interval);
      if (intervals.length > limit) {
        const dropped = intervals.splice(0, Math.min(intervals.length, trimBy));
        log('monitor: the queue of unsent intervals is full; dropping the oldest', {
          dropped: dropped.length,
          from: dropped[0]!.start,
          to: dropped.at(-1)!.start,
        });
        rewrite();
      } else if (file) {
        appendFileSync(file, JSON.stringify(interval) + '\n');
      }
      return interval;
    },
    batch: (max) => intervals.slice(0, max),
    ack(seq) {
      const before = intervals.length;
      intervals = intervals.filter((i) => i.seq > seq);
      const removed = before - intervals.length;
      if (removed > 0) rewrite();
      return removed;
    },
  };
}

function load(file: string, log: Log): { next: number; intervals: MonitorInterval[] } {
  if (!existsSync(file)) return { next: 0, intervals: [] };
  const [first, ...rest] = readFileSync(file, 'utf8').split('\n');
  const header = Header.safeParse(parseLine(first));
  const intervals: MonitorInterval[] = [];
  let skipped = 0;
  for (const line of rest) {
    if (!line.trim()) continue;
    const interval = MonitorInterval.safeParse(parseLine(line));
    // A line cut short by a power loss is skipped, not fatal.
    if (interval.success) intervals.push(interval.data);
    else skipped += 1;
  }
  if (skipped > 0 || !header.success) {
    log('monitor: some of the queue file could not be read; kept the rest', { file, skipped });
  }
  const next = Math.max(header.success ? header.data.next : 0, (intervals.at(-1)?.seq ?? -1) + 1);
  return { next, intervals };
}

function parseLine(line: string | undefined): unknown {
  try {
    return JSON.parse(line ?? '');
  } catch {
    return undefined;
  }
}
