import { mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MonitorInterval } from '../../contracts/monitor';
import { createMonitorQueue } from './queue';

// The queue of unacknowledged intervals: kept in a file across restarts, bounded,
// emptied by the cloud's acknowledgement, sent in batches.

const interval = (seq: number): MonitorInterval => ({
  seq,
  start: new Date(Date.UTC(2026, 11, 6, 0, seq)).toISOString(),
  seconds: 60,
  internet: { sent: 3, lost: 0, p50Ms: 20, p95Ms: 25 },
  failed: [],
});

function tempFile() {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'zen-monitor-queue-')), 'queue.jsonl');
}

describe('the monitor queue', () => {
  it('keeps intervals and their numbering across a restart', () => {
    const file = tempFile();
    const first = createMonitorQueue({ file, limit: 100, log: () => {} });
    for (let i = 0; i < 5; i++) first.push(interval);
    expect(first.ack(1)).toBe(2);
    first.push(interval);

    const again = createMonitorQueue({ file, limit: 100, log: () => {} });
    expect(again.batch(100).map((i) => i.seq)).toEqual([2, 3, 4, 5]);
    expect(again.nextSeq).toBe(6);
    // Everything acknowledged: the numbering still goes on after a restart.
    again.ack(5);
    expect(createMonitorQueue({ file, limit: 100, log: () => {} }).nextSeq).toBe(6);
  });

  it('skips a line cut short by a power loss and keeps the rest', () => {
    const file = tempFile();
    const queue = createMonitorQueue({ file, limit: 100, log: () => {} });
    queue.push(interval);
    queue.push(interval);
    appendFileSync(file, '{"seq":2,"start":"2026-12-');
    const lines: string[] = [];
    const reread = createMonitorQueue({ file, limit: 100, log: (m) => lines.push(m) });
    expect(reread.batch(10).map((i) => i.seq)).toEqual([0, 1]);
    expect(reread.nextSeq).toBe(2);
    expect(lines.join('\n')).toMatch(/could not be read/);
  });

  it('drops the oldest when full, and says so', () => {
    const file = tempFile();
    const lines: { message: string; fields?: Record<string, unknown> }[] = [];
    const queue = createMonitorQueue({
      file,
      limit: 96,
      log: (message, fields) => lines.push({ message, fields }),
    });
    for (let i = 0; i < 97; i++) queue.push(interval);
    // An hour's worth (limit / 48) goes at once, so a full queue is not rewritten every minute.
    expect(queue.size).toBe(95);
    expect(queue.batch(1)[0]!.seq).toBe(2);
    expect(lines).toEqual([
      {
        message: expect.stringMatching(/full; dropping the oldest/),
        fields: expect.objectContaining({ dropped: 2 }),
      },
    ]);
    expect(createMonitorQueue({ file, limit: 96, log: () => {} }).size).toBe(95);
  });

  it('sends a backlog in batches and forgets only what the cloud acknowledged', () => {
    const queue = createMonitorQueue({ limit: 1000, log: () => {} });
    for (let i = 0; i < 300; i++) queue.push(interval);
    const sent = queue.batch(120);
    expect(sent.map((i) => i.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    // The cloud stored up to 99 only: the rest of the batch goes again.
    expect(queue.ack(99)).toBe(100);
    expect(queue.batch(120)[0]!.seq).toBe(100);
    expect(queue.ack(50)).toBe(0);
    queue.ack(299);
    expect(queue.size).toBe(0);
  });

  it('starts from an empty file it writes itself', () => {
    const file = tempFile();
    createMonitorQueue({ file, limit: 10, log: () => {} });
    expect(readFileSync(file, 'utf8')).toBe('{"next":0}\n');
    writeFileSync(file, 'not json\n');
    expect(createMonitorQueue({ file, limit: 10, log: () => {} }).nextSeq).toBe(0);
  });
});
