import {
  maxIntervalsPerBeat,
  type MonitorReport,
  type MonitorState,
  type ProbeTarget,
} from '../../contracts/monitor';
import type { Log } from '../log';
import type { MonitorConfig } from './config';
import { Judge } from './judge';
import { failedTargets, type ProbeSource } from './probes';
import type { MonitorQueue } from './queue';
import type { StateFile } from './stateFile';
import { IntervalSummary } from './summary';

// The monitor's loop: a probe round every interval (HTTP every few), quick re-probes
// while the judge is deciding, one summary per interval into the queue, and a beat
// at once when the confirmed state changes.

export interface MonitorOptions {
  config: MonitorConfig;
  source: ProbeSource;
  queue: MonitorQueue;
  log: Log;
  /** Send a heartbeat now: the state changed, or a backlog is draining. */
  beatNow: () => void;
  /** The state reported before a restart, and where a changed state is kept. */
  stateFile?: StateFile;
}

export interface Monitor {
  /** What the next heartbeat carries; undefined until the first verdict (or a kept state). */
  report(): MonitorReport | undefined;
  /** The cloud stored every interval up to `seq`. */
  acknowledged(seq: number): void;
  readonly state: MonitorState | undefined;
  stop(): void;
}

/** After an acknowledgement that left a backlog, the next batch follows this soon. */
const drainDelayMs = 1000;

export function startMonitor(options: MonitorOptions): Monitor {
  const { config, source, queue, log } = options;
  const judge = new Judge(config, Date.now(), options.stateFile?.load());
  const intervalMs = config.intervalSeconds * 1000;
  let summary = new IntervalSummary(new Date());
  let intervalCount = 0;
  let lastFailed: ProbeTarget[] = [];
  let running = false;
  let recheck: NodeJS.Timeout | undefined;
  let drain: NodeJS.Timeout | undefined;
  let stopped = false;

  async function round(withHttp: boolean) {
    if (running || stopped) return;
    running = true;
    try {
      const samples = await source.round(withHttp);
      if (stopped) return;
      summary.add(samples);
      const failed = failedTargets(samples);
      lastFailed = failed;
      const changed = judge.observe(failed, Date.now());
      if (changed) {
        log(
          changed.state === 'fault'
            ? `monitor: fault confirmed (${changed.failing.join(', ')})`
            : 'monitor: the network is healthy',
          { since: changed.since, flaps: changed.flaps },
        );
        options.stateFile?.save(changed);
        options.beatNow();
      }
    } catch (err) {
      log(`monitor: a probe round failed to run: ${(err as Error).message}`);
    } finally {
      running = false;
    }
    if (!stopped && judge.deciding && !recheck) {
      recheck = setTimeout(() => {
        recheck = undefined;
        // A re-probe repeats HTTP only when HTTP was what failed.
        void round(lastFailed.includes('http'));
      }, config.recheckSeconds * 1000);
    }
  }

  function closeInterval() {
    const ended = summary;
    summary = new IntervalSummary(new Date());
    if (!ended.empty) {
      queue.push((seq) => ended.finish(seq, config.intervalSeconds, source.cloudPath()));
    }
  }

  const timer = setInterval(() => {
    closeInterval();
    intervalCount += 1;
    void round(intervalCount % config.httpEvery === 0);
  }, intervalMs);
  void round(true);

  return {
    get state() {
      return judge.state;
    },
    report() {
      const state = judge.state;
      return state && { state, intervals: queue.batch(maxIntervalsPerBeat) };
    },
    acknowledged(seq) {
      const removed = queue.ack(seq);
      // A full batch acknowledged and more waiting: a backlog drains batch after batch.
      if (removed >= maxIntervalsPerBeat && queue.size > 0 && !drain && !stopped) {
        drain = setTimeout(() => {
          drain = undefined;
          options.beatNow();
        }, drainDelayMs);
      }
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(recheck);
      clearTimeout(drain);
    },
  };
}
