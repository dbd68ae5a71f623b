import { readFileSync } from 'node:fs';
import os from 'node:os';
import { io, type Socket } from 'socket.io-client';
import { seedFleet } from '../test/support/fleet';
import { memoryOf } from '../test/support/processStack';
import { minuteMs } from '../api/monitoring/historyBuckets';
import { monitorInterval } from './healthScale';
import { shapeNote, type Shape } from './shapes';
import { cpuBetween, cpuByProcess, named, withBenchStack } from './stack';
import { crashLines, formatSpread, round, spread, type Spread } from './stats';

// A whole fleet connected at once: every box holds its own socket.io connection (through
// HAProxy to one of the API instances, at the cluster's shape) and sends a heartbeat every
// 30 s, the boxes' beats spread evenly over the 30 s; every other beat carries the monitor's
// minute, as a box's does. Measured: how long each heartbeat takes to be acknowledged,
// the API instances' memory for the connections, and their CPU.

export const fleetTargets = { boxes: 10_000, intervalSeconds: 30, p99Ms: 50 };

export interface FleetHeartbeatsResult {
  section: 'fleet-heartbeats';
  shape: Shape;
  boxes: number;
  /** The boxes connected straight to the API instances, half each, not through HAProxy. */
  direct: boolean;
  intervalSeconds: number;
  seconds: number;
  secondsToConnect: number;
  requestedRate: number;
  achievedRate: number;
  latencyMs: Spread & { target: number };
  /** Heartbeats each API instance answered during the run: where the boxes landed. */
  heartbeatsByApi: Record<string, number>;
  api: {
    /** RSS added by the connected boxes (summed over the instances), per 1,000 boxes. */
    mbPer1000Boxes: number;
    rssMb: Record<string, { before: number; after: number }>;
    /** Percent of one core over the measured run, each instance and summed. */
    cpuPct: Record<string, number>;
  };
  errors: number;
  firstErrors: string[];
  disconnects: number;
  cpuSeconds: Record<string, number>;
  loadAverage: { before: number; after: number };
  apiCrashes: string[];
  ok: boolean;
}

/**
 * Every heartbeat acknowledged within the target's p99, at the fleet's rate (2 % slack for
 * the sender's timer), no box dropped, and no API instance died.
 */
export function fleetTargetsMet(
  r: Pick<
    FleetHeartbeatsResult,
    'latencyMs' | 'errors' | 'disconnects' | 'apiCrashes' | 'achievedRate' | 'requestedRate'
  >,
): boolean {
  return (
    r.errors === 0 &&
    r.disconnects === 0 &&
    r.apiCrashes.length === 0 &&
    (r.latencyMs.p99 ?? Infinity) < r.latencyMs.target &&
    r.achievedRate >= r.requestedRate * 0.98
  );
}

/** The soft limit on open files of this process: one socket per box. */
function openFileLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === 'unlimited' || soft === undefined ? Infinity : Number(soft);
}

/** Heartbeats an API instance has handled, from its own /metrics. */
async function heartbeatsHandled(apiUrl: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('zen_device_heartbeats_total{'))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

/**
 * Connects the boxes, `batch` handshakes at a time, box i to `apiUrls[i % n]`; rejects
 * naming the first that failed.
 */
async function connectBoxes(
  apiUrls: string[],
  tokens: string[],
  batch: number,
  log: (line: string) => void,
): Promise<Socket[]> {
  const sockets: Socket[] = [];
  const started = Date.now();
  for (let i = 0; i < tokens.length; i += batch) {
    const next = tokens.slice(i, i + batch).map((token, j) =>
      io(`${apiUrls[(i + j) % apiUrls.length]}/device`, {
        auth: { token },
        transports: ['websocket'],
        forceNew: true,
        reconnectionDelay: 1000,
        reconnectionDelayMax: 5000,
      }),
    );
    sockets.push(...next);
    await Promise.all(
      next.map(
        (s) =>
          new Promise<void>((resolve, reject) => {
            let lastError = '';
            s.on('connect_error', (err) => (lastError = err.message));
            const timer = setTimeout(
              () =>
                reject(
                  new Error(
                    `no connection within 60 s${lastError ? ` (last error: ${lastError})` : ''}`,
                  ),
                ),
              60_000,
            );
            s.once('connect', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    ).catch((err: Error) => {
      for (const s of sockets) s.disconnect();
      throw new Error(`box ${i + 1}-${i + next.length}: ${err.message}`);
    });
    if ((i + batch) % 1000 === 0) {
      log(`  ${i + batch} connected after ${round((Date.now() - started) / 1000)} s`);
    }
  }
  return sockets;
}

export async function measureFleetHeartbeats({
  boxes = fleetTargets.boxes,
  seconds = 60,
  shape = 'cluster' as Shape,
  direct = false,
  log = (line: string) => console.error(line),
} = {}): Promise<FleetHeartbeatsResult> {
  const limit = openFileLimit();
  if (boxes + 500 > limit) {
    throw new Error(
      `${boxes} boxes need ${boxes + 500} open files in this process; its limit is ${limit} (raise it with ulimit -n).`,
    );
  }
  const loadBefore = round(os.loadavg()[0]!, 2);
  return withBenchStack(
    'fleet',
    async (stack) => {
      const devices = await seedFleet(stack.demo, boxes);
      const rssBefore = stack.apis.map((a) => memoryOf(a.pid()).rssMb);
      // One HAProxy holds two descriptors a box; --direct spreads the boxes over the
      // instances themselves, for fleets larger than the open-file limit lets HAProxy carry.
      const targets = direct ? stack.apiUrls : [stack.apiUrl];
      log(`connecting ${boxes} boxes, each its own socket, to ${targets.join(' and ')}...`);
      const connectStarted = Date.now();
      const sockets = await connectBoxes(
        targets,
        devices.map((d) => d.token),
        100,
        log,
      );
      const secondsToConnect = round((Date.now() - connectStarted) / 1000);
      let disconnects = 0;
      for (const s of sockets) s.on('disconnect', () => disconnects++);
      try {
        const rate = boxes / fleetTargets.intervalSeconds;
        // Each box's minutes end now: a box's clock is never ahead.
        const beatsPerBox = Math.ceil(seconds / fleetTargets.intervalSeconds) + 2;
        const base = Math.floor(Date.now() / minuteMs) * minuteMs - beatsPerBox * minuteMs;
        const beatsOf = new Array<number>(boxes).fill(0);
        const monitorSeqs = new Array<number>(boxes).fill(0);
        const latencies: number[] = [];
        const errors: string[] = [];
        let measuring = false;
        const state = { state: 'healthy', failing: [], since: new Date(base).toISOString() };
        const beat = (i: number) => {
          const n = beatsOf[i]!++;
          // Every other beat carries the minute the monitor finished since the last one.
          const seq = n % 2 === 0 ? monitorSeqs[i]!++ : undefined;
          const begun = performance.now();
          const counted = measuring;
          sockets[i]!.timeout(5000).emit(
            'heartbeat',
            {
              led: 'idle',
              uptimeSeconds: 3600 + n * fleetTargets.intervalSeconds,
              cloudPath: 'wired',
              ...(seq !== undefined && {
                monitor: {
                  state,
                  intervals: [monitorInterval(seq, base + seq * minuteMs, false)],
                },
              }),
            },
            (err: Error | null, reply?: { ok?: boolean }) => {
              if (!counted) return;
              if (err) return void errors.push(`heartbeat: ${err.message}`);
              if (!reply?.ok)
                return void errors.push(`heartbeat answered ${JSON.stringify(reply)}`);
              latencies.push(performance.now() - begun);
            },
          );
        };
        /** Every box beats `rounds` times, at the fleet's rate, open loop. */
        const beatFor = (total: number) =>
          new Promise<number>((resolve) => {
            let sent = 0;
            const started = performance.now();
            const timer = setInterval(() => {
              const due = Math.min(
                Math.floor(((performance.now() - started) / 1000) * rate),
                total,
              );
              for (; sent < due; sent++) beat(sent % boxes);
              if (sent >= total) {
                clearInterval(timer);
                resolve(started);
              }
            }, 5);
          });
        // Warm-up: each box's first beat writes its device document and its first minute,
        // as a fleet that has been reporting for a while did long ago.
        log(`warm-up: every box beats once over ${fleetTargets.intervalSeconds} s...`);
        await beatFor(boxes);
        await new Promise((r) => setTimeout(r, 2000));
        const rssAfter = stack.apis.map((a) => memoryOf(a.pid()).rssMb);
        const handledBefore = await Promise.all(stack.apiUrls.map(heartbeatsHandled));
        const cpuBefore = cpuByProcess(stack);
        const total = Math.floor(rate * seconds);
        log(
          `${round(rate)} heartbeats/s (${boxes} boxes every ${fleetTargets.intervalSeconds} s) for ${seconds} s...`,
        );
        measuring = true;
        const started = await beatFor(total);
        const deadline = Date.now() + 10_000;
        while (latencies.length + errors.length < total && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
        const elapsed = (performance.now() - started) / 1000;
        const cpu = cpuBetween(cpuBefore, cpuByProcess(stack));
        const handledAfter = await Promise.all(stack.apiUrls.map(heartbeatsHandled));
        const apiNames = named('api', stack.apis).map(([name]) => name);
        const cpuPct = Object.fromEntries(
          apiNames.map((name) => [name, round(((cpu[name] ?? 0) / elapsed) * 100)]),
        );
        if (apiNames.length > 1) {
          cpuPct.all = round(
            (apiNames.reduce((sum, name) => sum + (cpu[name] ?? 0), 0) / elapsed) * 100,
          );
        }
        const added = rssAfter.reduce((a, b) => a + b, 0) - rssBefore.reduce((a, b) => a + b, 0);
        const latency = spread(latencies);
        const result: FleetHeartbeatsResult = {
          section: 'fleet-heartbeats',
          shape,
          boxes,
          direct,
          intervalSeconds: fleetTargets.intervalSeconds,
          seconds,
          secondsToConnect,
          requestedRate: round(rate),
          achievedRate: round(latencies.length / elapsed),
          latencyMs: { ...latency, target: fleetTargets.p99Ms },
          heartbeatsByApi: Object.fromEntries(
            apiNames.map((name, i) => [name, handledAfter[i]! - handledBefore[i]!]),
          ),
          api: {
            mbPer1000Boxes: round(added / (boxes / 1000)),
            rssMb: Object.fromEntries(
              apiNames.map((name, i) => [
                name,
                { before: round(rssBefore[i]!), after: round(rssAfter[i]!) },
              ]),
            ),
            cpuPct,
          },
          errors: errors.length + Math.max(0, total - latencies.length - errors.length),
          firstErrors: errors.slice(0, 5),
          disconnects,
          cpuSeconds: cpu,
          loadAverage: { before: loadBefore, after: round(os.loadavg()[0]!, 2) },
          apiCrashes: stack.apiCrashes,
          ok: false,
        };
        result.ok = fleetTargetsMet(result);
        return result;
      } finally {
        for (const socket of sockets) socket.disconnect();
      }
    },
    { log, shape },
  );
}

export function formatFleetHeartbeats(r: FleetHeartbeatsResult): string {
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const each = (record: Record<string, unknown>, show: (v: never) => string) =>
    Object.entries(record)
      .map(([k, v]) => `${k} ${show(v as never)}`)
      .join(', ');
  return [
    `Fleet heartbeats${shapeNote(r.shape)} (${r.boxes} boxes, each its own socket${r.direct ? ' straight to the API instances, half each' : ''}, a heartbeat every ${r.intervalSeconds} s: ${r.requestedRate}/s for ${r.seconds} s; all connected after ${r.secondsToConnect} s)`,
    `  achieved          ${r.achievedRate} acknowledged heartbeats/s; by API instance: ${each(r.heartbeatsByApi, (v: number) => String(v))}`,
    `  heartbeat ack     ${formatSpread(r.latencyMs)}   target p99 < ${r.latencyMs.target} ms   ${mark((r.latencyMs.p99 ?? Infinity) < r.latencyMs.target)}`,
    `  API memory        ${r.api.mbPer1000Boxes} MB per 1,000 boxes (RSS added by the connections: ${each(r.api.rssMb, (v: { before: number; after: number }) => `${v.before} -> ${v.after} MB`)})`,
    `  API CPU           ${each(r.api.cpuPct, (v: number) => `${v} %`)} of one core`,
    `  errors            ${r.errors}${r.firstErrors.length ? ` (${r.firstErrors.join('; ')})` : ''}, disconnects ${r.disconnects}   ${mark(r.errors === 0 && r.disconnects === 0)}`,
    ...crashLines(r.apiCrashes),
    `  CPU during the run: ${each(r.cpuSeconds, (v: number) => `${v} s`)}`,
    `  load average      ${r.loadAverage.before} before, ${r.loadAverage.after} after (1 min, 2 cores)`,
  ].join('\n');
}
