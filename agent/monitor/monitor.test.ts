import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MonitorConfig } from './config';
import { startMonitor, type Monitor } from './monitor';
import type { ProbeSample, ProbeSource } from './probes';
import { createMonitorQueue, type MonitorQueue } from './queue';
import { monitorStateFile } from './stateFile';

// The monitor's loop with a probe source the test controls and the clock faked:
// a round a minute, quick re-probes while deciding, a beat at once on a change,
// one summary per interval, and a backlog drained batch after batch.

const config = MonitorConfig.parse({});
const minute = 60_000;

function probes() {
  let internetUp = true;
  const rounds: { at: number; withHttp: boolean }[] = [];
  const source: ProbeSource = {
    cloudPath: () => 'wired',
    round(withHttp) {
      rounds.push({ at: Date.now(), withHttp });
      const samples: ProbeSample[] = [
        { target: 'gateway', sent: 2, answeredMs: [0.6, 0.8] },
        { target: 'dns', sent: 1, answeredMs: [11] },
        { target: 'internet', sent: 1, answeredMs: internetUp ? [20] : [] },
      ];
      if (withHttp) samples.push({ target: 'http', sent: 1, answeredMs: internetUp ? [90] : [] });
      return Promise.resolve(samples);
    },
  };
  return {
    source,
    rounds,
    cut: () => (internetUp = false),
  };
}

describe('the monitor loop', () => {
  let monitor: Monitor | undefined;
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-12-06T08:00:00Z') }));
  afterEach(() => {
    monitor?.stop();
    jest.useRealTimers();
  });

  function start(
    queue: MonitorQueue = createMonitorQueue({ limit: 2880, log: () => {} }),
    stateFile?: string,
  ) {
    const net = probes();
    const beats: number[] = [];
    monitor = startMonitor({
      config,
      source: net.source,
      queue,
      log: () => {},
      beatNow: () => beats.push(Date.now()),
      stateFile: stateFile ? monitorStateFile(stateFile, () => {}) : undefined,
    });
    return { net, beats, queue, started: Date.now() };
  }

  it('decides after start with quick rounds, then probes once a minute with HTTP every fifth', async () => {
    const { net, beats, started } = start();
    expect(monitor!.report()).toBeUndefined();
    await jest.advanceTimersByTimeAsync(25_000);
    // Three passing rounds 10 s apart: healthy, and said at once.
    expect(net.rounds.map((r) => r.at - started)).toEqual([0, 10_000, 20_000]);
    expect(monitor!.state).toMatchObject({ state: 'healthy' });
    expect(beats).toEqual([started + 20_000]);
    await jest.advanceTimersByTimeAsync(5 * minute);
    const regular = net.rounds.slice(3);
    expect(regular.map((r) => (r.at - started) / minute)).toEqual([1, 2, 3, 4, 5]);
    expect(regular.map((r) => r.withHttp)).toEqual([false, false, false, false, true]);
    // One summary per interval, waiting for the cloud.
    const { intervals } = monitor!.report()!;
    expect(intervals.map((i) => i.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(intervals[0]).toMatchObject({
      start: '2026-12-06T08:00:00.000Z',
      seconds: 60,
      internet: { sent: 3, lost: 0 },
      failed: [],
      path: 'wired',
    });
  });

  it('confirms a fault within half a minute of the first failing round and beats at once', async () => {
    const { net, beats, started } = start();
    await jest.advanceTimersByTimeAsync(minute - 1000);
    net.cut();
    await jest.advanceTimersByTimeAsync(1000);
    expect(monitor!.state?.state).toBe('healthy');
    await jest.advanceTimersByTimeAsync(20_000);
    expect(monitor!.state).toMatchObject({
      state: 'fault',
      failing: ['internet'],
      since: new Date(started + minute + 20_000).toISOString(),
    });
    expect(beats.at(-1)).toBe(started + minute + 20_000);
  });

  it('keeps its state across a restart, so an outage going on is neither recovered nor new', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'zen-monitor-state-')), 'state.json');
    const first = start(undefined, file);
    first.net.cut();
    await jest.advanceTimersByTimeAsync(35_000);
    const fault = monitor!.state!;
    expect(fault.state).toBe('fault');
    monitor!.stop();
    // Restarted, the line still down: the kept state goes out from the first beat.
    const again = start(undefined, file);
    again.net.cut();
    expect(monitor!.report()?.state).toEqual(fault);
    await jest.advanceTimersByTimeAsync(35_000);
    expect(monitor!.state).toMatchObject({ state: 'fault', since: fault.since });
    expect(again.beats).toEqual([]);
  });

  it('asks for the next batch at once when a full batch was acknowledged and more wait', async () => {
    const queue = createMonitorQueue({ limit: 2880, log: () => {} });
    for (let seq = 0; seq < 300; seq++) {
      queue.push((s) => ({ seq: s, start: '2026-12-06T07:00:00.000Z', seconds: 60, failed: [] }));
    }
    const { beats } = start(queue);
    await jest.advanceTimersByTimeAsync(25_000);
    const before = beats.length;
    monitor!.acknowledged(monitor!.report()!.intervals.at(-1)!.seq);
    await jest.advanceTimersByTimeAsync(1000);
    expect(beats.length).toBe(before + 1);
    expect(monitor!.report()!.intervals[0]!.seq).toBe(120);
    // A last, partial batch acknowledged: the regular beats carry on.
    monitor!.acknowledged(299);
    await jest.advanceTimersByTimeAsync(1000);
    expect(beats.length).toBe(before + 1);
  });
});
