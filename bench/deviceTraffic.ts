import os from 'node:os';
import { baselineChecks } from '../contracts/checks';
import { connectFleet, seedFleet } from '../test/support/fleet';
import { cpuBetween, cpuByProcess, cpuOfKind, memoryOfAll, withBenchStack } from './stack';
import { crashLines, formatSpread, round, spread, type Spread } from './stats';

// The API under a fleet's steady traffic: connected simulated Zen boxes send
// heartbeats over their socket.io link (acknowledged once handled) and post
// diagnostic results over HTTP (/api/device/diagnostic, read by the advisor),
// at a fixed total rate, open loop: a slow answer does not slow the senders.
// The API writes a heartbeat only when the health changed or lastSeen is due
// (every 5 minutes): one box beating every 30 s has 1 beat in 10 written, so
// here each box's health changes on every tenth beat to keep that share.

export const trafficTargets = { rate: 500, p99Ms: 50 };

export interface DeviceTrafficResult {
  section: 'device-traffic';
  devices: number;
  seconds: number;
  requestedRate: number;
  achievedRate: number;
  /** Share of the requests that are result posts; the rest are heartbeats. */
  resultPostShare: number;
  latencyMs: { heartbeats: Spread; resultPosts: Spread; all: Spread & { target: number } };
  errors: number;
  firstErrors: string[];
  api: { peakRssMb: number; cpuPct: number };
  /** CPU seconds each process used during the run: where the time went. */
  cpuSeconds: Record<string, number>;
  elapsedSeconds: number;
  loadAverage: { before: number; after: number };
  /** Each time the API process died during the run (it was restarted): a finding, never ok. */
  apiCrashes: string[];
  ok: boolean;
}

export async function measureDeviceTraffic({
  rate = trafficTargets.rate,
  seconds = 60,
  devices: deviceCount = 50,
  resultPostShare = 0.2,
  log = (line: string) => console.error(line),
} = {}): Promise<DeviceTrafficResult> {
  const loadBefore = round(os.loadavg()[0]!, 2);
  return withBenchStack(
    'traffic',
    async (stack) => {
      const devices = await seedFleet(stack.demo, deviceCount);
      log(`connecting ${deviceCount} simulated devices...`);
      const agents = await connectFleet([stack.apiUrl], devices, 'healthy');
      try {
        // A real result from the simulated box, as its diagnostic post would carry it.
        const diagnosis = await agents[0]!.executor.execute({
          kind: 'diagnose',
          commandId: 'bench:diagnose',
          caseId: 'bench',
          checks: baselineChecks,
        });
        if (diagnosis.kind !== 'diagnose' || !diagnosis.ok) throw new Error('no diagnosis');
        const resultBody = JSON.stringify({
          diagnosticData: { results: diagnosis.results, sanitized: true },
        });

        const heartbeats: number[] = [];
        const resultPosts: number[] = [];
        const errors: string[] = [];
        let sent = 0;
        let next = 0;
        const fail = (what: string) => errors.push(what);

        const beats = new Array<number>(agents.length).fill(0);
        const heartbeat = (i: number) => {
          const agent = agents[i]!;
          const begun = performance.now();
          const beat = beats[i]!++;
          agent.socket
            .timeout(5000)
            .emit(
              'heartbeat',
              { led: 'idle', uptimeSeconds: 60 + beat, summary: `bench ${Math.floor(beat / 10)}` },
              (err: Error | null, reply?: { ok?: boolean }) => {
                if (err) return fail(`heartbeat: ${err.message}`);
                if (!reply?.ok) return fail(`heartbeat answered ${JSON.stringify(reply)}`);
                heartbeats.push(performance.now() - begun);
              },
            );
        };
        const resultPost = (i: number) => {
          const begun = performance.now();
          fetch(`${stack.apiUrl}/api/device/diagnostic`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${devices[i]!.token}`,
              'content-type': 'application/json',
            },
            body: resultBody,
            signal: AbortSignal.timeout(5000),
          })
            .then(async (res) => {
              await res.arrayBuffer();
              if (res.status !== 200) return fail(`result post answered ${res.status}`);
              resultPosts.push(performance.now() - begun);
            })
            .catch((err: Error) => fail(`result post: ${err.message}`));
        };

        log(`${rate} requests/s for ${seconds} s...`);
        const cpuBefore = cpuByProcess(stack);
        const started = performance.now();
        await new Promise<void>((resolve) => {
          const timer = setInterval(() => {
            const elapsed = (performance.now() - started) / 1000;
            const due = Math.min(Math.floor(elapsed * rate), rate * seconds);
            for (; sent < due; sent++) {
              const i = next++ % agents.length;
              // Spread evenly: every fifth request is a result post at a share of 0.2.
              if (Math.floor((sent + 1) * resultPostShare) > Math.floor(sent * resultPostShare)) {
                resultPost(i);
              } else heartbeat(i);
            }
            if (sent >= rate * seconds) {
              clearInterval(timer);
              resolve();
            }
          }, 5);
        });
        // The last answers.
        const total = rate * seconds;
        const deadline = Date.now() + 10_000;
        while (heartbeats.length + resultPosts.length + errors.length < total) {
          if (Date.now() > deadline) {
            fail(
              `${total - heartbeats.length - resultPosts.length - errors.length} never answered`,
            );
            break;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        const answeredSeconds = (performance.now() - started) / 1000;
        const cpu = cpuBetween(cpuBefore, cpuByProcess(stack));
        const all = spread([...heartbeats, ...resultPosts]);
        const result: DeviceTrafficResult = {
          section: 'device-traffic',
          devices: deviceCount,
          seconds,
          requestedRate: rate,
          achievedRate: round((heartbeats.length + resultPosts.length) / answeredSeconds),
          resultPostShare,
          latencyMs: {
            heartbeats: spread(heartbeats),
            resultPosts: spread(resultPosts),
            all: { ...all, target: trafficTargets.p99Ms },
          },
          errors: errors.length,
          firstErrors: errors.slice(0, 5),
          api: {
            peakRssMb: round(memoryOfAll(stack.apis).peakRssMb),
            cpuPct: round((cpuOfKind(cpu, 'api') / answeredSeconds) * 100),
          },
          cpuSeconds: cpu,
          elapsedSeconds: round(answeredSeconds),
          loadAverage: { before: loadBefore, after: round(os.loadavg()[0]!, 2) },
          apiCrashes: stack.apiCrashes,
          ok: false,
        };
        result.ok =
          stack.apiCrashes.length === 0 &&
          errors.length === 0 &&
          (all.p99 ?? Infinity) < trafficTargets.p99Ms &&
          result.achievedRate >= rate * 0.98;
        return result;
      } finally {
        for (const agent of agents) agent.stop();
      }
    },
    { log },
  );
}

export function formatDeviceTraffic(r: DeviceTrafficResult): string {
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const l = r.latencyMs;
  return [
    `Device traffic (${r.devices} simulated devices, ${r.requestedRate} requests/s for ${r.seconds} s: heartbeats over socket.io (1 in 10 with a changed health, so written), ${Math.round(r.resultPostShare * 100)} % result posts over HTTP)`,
    `  achieved          ${r.achievedRate} answered requests/s`,
    `  heartbeat ack     ${formatSpread(l.heartbeats)}`,
    `  result post       ${formatSpread(l.resultPosts)}`,
    `  all               ${formatSpread(l.all)}   target p99 < ${l.all.target} ms   ${mark((l.all.p99 ?? Infinity) < l.all.target)}`,
    `  errors            ${r.errors}${r.firstErrors.length ? ` (${r.firstErrors.join('; ')})` : ''}   ${mark(r.errors === 0)}`,
    `  API               peak RSS ${r.api.peakRssMb} MB, CPU ${r.api.cpuPct} % of one core`,
    `  CPU during the run (${r.elapsedSeconds} s): ${Object.entries(r.cpuSeconds)
      .map(([k, v]) => `${k} ${v} s`)
      .join(', ')}`,
    ...crashLines(r.apiCrashes),
    `  load average      ${r.loadAverage.before} before, ${r.loadAverage.after} after (1 min, 2 cores)`,
  ].join('\n');
}
