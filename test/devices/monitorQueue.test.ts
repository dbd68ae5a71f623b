import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulatedAgent, type SimulatedAgent } from '../../agent/simulatedAgent';
import { HeartbeatAck, MonitorReport, type DeviceHistory } from '../../contracts/monitor';
import { minutesOf } from '../../api/monitoring/historyBuckets';
import { HealthLateMinutes, HealthMinutes } from '../../store/healthHistory';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';

// The monitor's queue through a cloud outage, against the real API: the link is cut,
// intervals wait in the box's queue file (across a restart of the agent), the link
// comes back, and every interval is acknowledged; none is lost, none sent again once
// acknowledged; and the history holds every interval the box measured exactly once.

jest.setTimeout(120_000);

/**
 * The cloud keeps an interval under its start minute; the test's intervals last a second.
 * The simulated box's clock steps a minute per interval, starting three hours ago (within
 * the minute history, never ahead of the cloud), so every interval has a minute of its own.
 */
const mockClockStart = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 60 * 60_000;
jest.mock('../../agent/monitor/summary', () => {
  const actual = jest.requireActual('../../agent/monitor/summary');
  let intervals = 0;
  class SteppedSummary extends actual.IntervalSummary {
    constructor() {
      super(new Date(mockClockStart + intervals++ * 60_000));
    }
  }
  return { ...actual, IntervalSummary: SteppedSummary };
});

interface Beat {
  seqs: number[];
  ack?: HeartbeatAck;
  /** The highest seq acknowledged (by any beat) when this one was sent. */
  ackedBefore: number;
}

describe("the monitor's queue through a cloud outage", () => {
  let stack: TestStack;
  let proxy: TcpProxy;
  let agent: SimulatedAgent | undefined;
  const beats: Beat[] = [];

  beforeAll(async () => {
    stack = await startTestStack('monitorqueue', { worker: false });
    proxy = await startTcpProxy(new URL(stack.apiUrl).host);
  });
  afterAll(async () => {
    agent?.stop();
    await proxy.close();
    await stack.stop();
  });

  /** A box whose heartbeats (and the API's answers to them) the test records. */
  function startBox(queueFile: string): SimulatedAgent {
    const box = startSimulatedAgent({
      apiUrl: `http://${proxy.address}`,
      token: stack.demo.device.token,
      scenario: 'healthy',
      log: () => undefined,
      // Beats as often as intervals end, so the test does not wait out 30 s beats.
      heartbeatMs: 1000,
      monitor: { intervalSeconds: 1, recheckSeconds: 1, confirmAfter: 2, clearAfter: 2, queueFile },
    });
    const timeout = box.socket.timeout.bind(box.socket);
    box.socket.timeout = (ms: number) => {
      const timed = timeout(ms);
      const emit = timed.emit.bind(timed) as unknown as (...args: unknown[]) => boolean;
      (timed as { emit: unknown }).emit = (
        event: string,
        payload: { monitor?: unknown },
        callback: (err: unknown, reply: unknown) => void,
      ) => {
        if (event !== 'heartbeat') return emit(event, payload, callback);
        const report = MonitorReport.safeParse(payload.monitor);
        const beat: Beat = {
          seqs: report.success ? report.data.intervals.map((i) => i.seq) : [],
          ackedBefore: acknowledgedUpTo(),
        };
        beats.push(beat);
        return emit(event, payload, (err: unknown, reply: unknown) => {
          if (!err) beat.ack = HeartbeatAck.parse(reply);
          callback(err, reply);
        });
      };
      return timed;
    };
    return box;
  }

  const acknowledgedUpTo = () => Math.max(-1, ...beats.map((b) => b.ack?.monitorSeq ?? -1));
  const waiting = (box: SimulatedAgent) => box.monitor!.monitor.report()?.intervals ?? [];

  it('keeps intervals through the outage and a restart, and has them all acknowledged after', async () => {
    const queueFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'zen-mq-')), 'queue.jsonl');
    agent = startBox(queueFile);
    await eventually(async () => acknowledgedUpTo() >= 2, {
      what: 'the first acknowledged intervals',
    });

    proxy.cut();
    const cutAt = acknowledgedUpTo();
    await eventually(async () => waiting(agent!).length >= 4, {
      what: 'intervals queued while the cloud is away',
    });
    // The agent restarts during the outage: its queue file keeps what waits.
    agent.stop();
    const before = waiting(agent);
    agent = startBox(queueFile);
    await eventually(async () => waiting(agent!).length > before.length, {
      what: 'the restarted box to queue more',
    });
    expect(waiting(agent).slice(0, before.length)).toEqual(before);
    const last = waiting(agent).at(-1)!.seq;
    expect(last).toBeGreaterThan(cutAt + 4);

    proxy.restore();
    await eventually(async () => acknowledgedUpTo() >= last, {
      timeoutMs: 60_000,
      what: 'every interval acknowledged',
    });
    // Every interval from the first to the last was sent and acknowledged: none lost.
    const sent = new Set(beats.flatMap((b) => (b.ack?.ok ? b.seqs : [])));
    for (let seq = 0; seq <= last; seq++) expect(sent.has(seq)).toBe(true);
    // An acknowledged interval is never sent again.
    for (const beat of beats)
      expect(beat.seqs.filter((seq) => seq <= beat.ackedBefore)).toEqual([]);

    // The store holds each interval from the first to the last once, each in its own minute.
    const deviceId = stack.demo.device.deviceId;
    const buckets = await HealthMinutes.find({ deviceId }).lean();
    const minuteOfSeq = new Map<number, number>();
    for (const bucket of buckets) {
      for (const { index, minute } of minutesOf(bucket)) {
        if (minute.q > last) continue;
        expect(minuteOfSeq.has(minute.q)).toBe(false);
        minuteOfSeq.set(minute.q, bucket.hour.getTime() + index * 60_000);
      }
    }
    const measured = Array.from({ length: last + 1 }, (_, seq) => seq);
    expect([...minuteOfSeq.keys()].sort((a, b) => a - b)).toEqual(measured);
    expect(await HealthLateMinutes.countDocuments({ deviceId })).toBe(0);
    // And the history the portal reads at minute resolution: one measured minute each.
    const from = new Date(minuteOfSeq.get(0)!).toISOString();
    const to = new Date(minuteOfSeq.get(last)! + 60_000).toISOString();
    const history = await call(
      `${stack.apiUrl}/api/devices/${deviceId}/health?resolution=minute&from=${from}&to=${to}`,
      stack.demo.customer.token,
    );
    expect(history.status).toBe(200);
    const points = (history.body as DeviceHistory).points.filter((p) => p.minutes > 0);
    expect(points.map((p) => p.at)).toEqual(
      measured.map((seq) => new Date(minuteOfSeq.get(seq)!).toISOString()),
    );
    expect(points.every((p) => p.minutes === 1)).toBe(true);
  });
});
