import mongoose from 'mongoose';
import { io, type Socket } from 'socket.io-client';
import type { MonitorInterval } from '../contracts/monitor';
import {
  floorHour,
  hourMs,
  mergeBuckets,
  minuteMs,
  toStoredMinute,
} from '../api/monitoring/historyBuckets';
import { hourField, minuteField } from '../store/healthHistory';
import { seedFleet } from '../test/support/fleet';
import { cpuBetween, cpuByProcess, withBenchStack } from './stack';
import { formatSpread, round, spread, type Spread } from './stats';

// 10,000 boxes reporting every minute through the API: a heartbeat a minute each, with
// the monitor's one new interval, is 10,000 / 60 = 167 heartbeats a second. A few hundred
// sockets carry that rate (each a box beating faster, its minutes advancing with every
// beat), as one process cannot hold 10,000 socket.io clients beside the servers on two
// cores; the API and the database see the same work. Also: database writes per second
// (the history's upsert per beat, and the device document's writes counted by the API's
// own metric), and storage per box per month in the shapes the history keeps.

export const healthTargets = { boxes: 10_000, p99Ms: 50 };

export interface HealthScaleResult {
  section: 'health-scale';
  boxes: number;
  sockets: number;
  seconds: number;
  requestedRate: number;
  achievedRate: number;
  latencyMs: Spread & { target: number };
  dbWritesPerSecond: { history: number; devices: number; total: number };
  errors: number;
  firstErrors: string[];
  /** Bytes (BSON) per box: the 48 hours of minutes kept, and a month of hours. */
  storagePerBox: { minuteWindowBytes: number; hourlyMonthBytes: number; monthTotalBytes: number };
  cpuSeconds: Record<string, number>;
  ok: boolean;
}

/** A minute of a box's monitor, as its heartbeat carries it. */
export function monitorInterval(seq: number, start: number, failed: boolean): MonitorInterval {
  return {
    seq,
    start: new Date(start).toISOString(),
    seconds: 60,
    gateway: { sent: 3, lost: 0, p50Ms: 1.2, p95Ms: 2.5 },
    internet: failed ? { sent: 3, lost: 3 } : { sent: 3, lost: 0, p50Ms: 18.4, p95Ms: 31.7 },
    dns: { sent: 1, lost: 0, p50Ms: 7.9 },
    failed: failed ? ['internet'] : [],
    path: 'wired',
  };
}

/** The API's count of heartbeats written to device documents. */
async function deviceWrites(apiUrl: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('zen_device_heartbeats_total{written="true"}'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** A box's documents as the history keeps them: 48 full minute buckets, a month of hours. */
export function storagePerBox(): HealthScaleResult['storagePerBox'] {
  const start = Date.UTC(2026, 0, 1);
  const bucket: Record<string, unknown> = {
    _id: `pi-0000000000000000|2026-01-01T00`,
    deviceId: 'pi-0000000000000000',
    hour: new Date(start),
  };
  for (let m = 0; m < 60; m++) {
    // One failing minute in thirty: an everyday line.
    bucket[minuteField(new Date(start + m * minuteMs))] = toStoredMinute(
      monitorInterval(m, start + m * minuteMs, m % 30 === 0),
    );
  }
  const minuteWindowBytes = 48 * mongoose.mongo.BSON.calculateObjectSize(bucket);
  const month: Record<string, unknown> = {
    _id: 'pi-0000000000000000|2026-01',
    deviceId: 'pi-0000000000000000',
    month: new Date(start),
  };
  for (let h = 0; h < 31 * 24; h++) {
    const at = floorHour(new Date(start + h * hourMs));
    month[hourField(at)] = mergeBuckets(undefined, bucket);
  }
  const hourlyMonthBytes = mongoose.mongo.BSON.calculateObjectSize(month);
  return {
    minuteWindowBytes,
    hourlyMonthBytes,
    monthTotalBytes: minuteWindowBytes + hourlyMonthBytes,
  };
}

export async function measureHealthScale({
  boxes = healthTargets.boxes,
  sockets: socketCount = 400,
  seconds = 60,
  log = (line: string) => console.error(line),
} = {}): Promise<HealthScaleResult> {
  const rate = boxes / 60;
  return withBenchStack(
    'health',
    async (stack) => {
      const devices = await seedFleet(stack.demo, socketCount);
      log(`connecting ${socketCount} device sockets...`);
      const sockets: Socket[] = [];
      for (let i = 0; i < devices.length; i += 50) {
        const batch = devices
          .slice(i, i + 50)
          .map((d) =>
            io(`${stack.apiUrl}/device`, { auth: { token: d.token }, transports: ['websocket'] }),
          );
        await Promise.all(
          batch.map((s) => new Promise<void>((resolve) => s.once('connect', () => resolve()))),
        );
        sockets.push(...batch);
      }
      try {
        const perSocket = Math.ceil((rate * seconds) / socketCount) + 1;
        // Each socket's minutes end now: a box's clock is never ahead.
        const base = Math.floor(Date.now() / minuteMs) * minuteMs - (perSocket + 1) * minuteMs;
        const seqs = new Array<number>(socketCount).fill(0);
        const latencies: number[] = [];
        const errors: string[] = [];
        const state = { state: 'healthy', failing: [], since: new Date(base).toISOString() };
        const beat = (i: number) => {
          const seq = seqs[i]!++;
          const begun = performance.now();
          sockets[i]!.timeout(5000).emit(
            'heartbeat',
            {
              led: 'idle',
              uptimeSeconds: seq,
              monitor: {
                state,
                intervals: [monitorInterval(seq, base + seq * minuteMs, seq % 30 === 0)],
              },
            },
            (err: Error | null, reply?: { ok?: boolean; monitorSeq?: number }) => {
              if (err) return void errors.push(`heartbeat: ${err.message}`);
              if (!reply?.ok || reply.monitorSeq !== seq) {
                return void errors.push(`heartbeat answered ${JSON.stringify(reply)}`);
              }
              latencies.push(performance.now() - begun);
            },
          );
        };
        // Warm up: every box's first beat (its device document written, its first bucket made),
        // as a fleet that has been reporting for a while has done long ago.
        for (let i = 0; i < socketCount; i++) beat(i);
        await waitFor(() => latencies.length + errors.length >= socketCount);
        latencies.splice(0);
        const writesBefore = await deviceWrites(stack.apiUrl);
        const cpuBefore = cpuByProcess(stack);
        log(`${round(rate)} heartbeats/s (${boxes} boxes a minute each) for ${seconds} s...`);
        const total = Math.floor(rate * seconds);
        let sent = 0;
        const started = performance.now();
        await new Promise<void>((resolve) => {
          const timer = setInterval(() => {
            const due = Math.min(Math.floor(((performance.now() - started) / 1000) * rate), total);
            for (; sent < due; sent++) beat(sent % socketCount);
            if (sent >= total) {
              clearInterval(timer);
              resolve();
            }
          }, 5);
        });
        await waitFor(() => latencies.length + errors.length >= total);
        const elapsed = (performance.now() - started) / 1000;
        const deviceWritten = (await deviceWrites(stack.apiUrl)) - writesBefore;
        const latency = spread(latencies);
        const history = round(latencies.length / elapsed);
        const result: HealthScaleResult = {
          section: 'health-scale',
          boxes,
          sockets: socketCount,
          seconds,
          requestedRate: round(rate),
          achievedRate: round(latencies.length / elapsed),
          latencyMs: { ...latency, target: healthTargets.p99Ms },
          dbWritesPerSecond: {
            history,
            devices: round(deviceWritten / elapsed),
            total: round(history + deviceWritten / elapsed),
          },
          errors: errors.length + Math.max(0, total - latencies.length - errors.length),
          firstErrors: errors.slice(0, 5),
          storagePerBox: storagePerBox(),
          cpuSeconds: cpuBetween(cpuBefore, cpuByProcess(stack)),
          ok: false,
        };
        result.ok =
          result.errors === 0 &&
          (latency.p99 ?? Infinity) < healthTargets.p99Ms &&
          result.achievedRate >= rate * 0.98;
        return result;
      } finally {
        for (const socket of sockets) socket.disconnect();
      }
    },
    { log },
  );
}

/** Waits up to 10 s for the answers still on their way. */
async function waitFor(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

export function formatHealthScale(r: HealthScaleResult): string {
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const kb = (bytes: number) => `${round(bytes / 1024)} KB`;
  const s = r.storagePerBox;
  return [
    `Health history at scale (${r.boxes} boxes reporting every minute: ${r.requestedRate} heartbeats/s, one monitor interval each, over ${r.sockets} sockets for ${r.seconds} s)`,
    `  achieved          ${r.achievedRate} acknowledged heartbeats/s`,
    `  heartbeat ack     ${formatSpread(r.latencyMs)}   target p99 < ${r.latencyMs.target} ms   ${mark((r.latencyMs.p99 ?? Infinity) < r.latencyMs.target)}`,
    `  database writes   ${r.dbWritesPerSecond.total}/s (history ${r.dbWritesPerSecond.history}/s, device documents ${r.dbWritesPerSecond.devices}/s)`,
    `  errors            ${r.errors}${r.firstErrors.length ? ` (${r.firstErrors.join('; ')})` : ''}   ${mark(r.errors === 0)}`,
    `  storage per box   ${kb(s.monthTotalBytes)} a month: 48 hours of minutes ${kb(s.minuteWindowBytes)}, a month of hours ${kb(s.hourlyMonthBytes)} (BSON, before the database's compression)`,
    `  CPU during the run: ${Object.entries(r.cpuSeconds)
      .map(([k, v]) => `${k} ${v} s`)
      .join(', ')}`,
  ].join('\n');
}
