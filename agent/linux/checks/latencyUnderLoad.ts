import { checkThresholds } from '../../../contracts/diagnostics';
import type { AgentConfig } from '../../config';
import type { Measured } from '../checks';
import { run, sleep } from '../exec';
import { defaultGateway } from '../iproute';
import { skippedWhy, type Skippable } from './throughput';
import { download, drainMs, speedTestServer, upload, type Transfer } from './throughputClient';

// Bufferbloat and slow paths: round trips to the gateway and to an internet
// address while the line is idle, then while a download and then an upload
// load it. A queue that fills under load (a modem or router buffering seconds
// of traffic) shows as loaded round trips far above the idle ones; a slow path
// (satellite, congested peering) as a high idle round trip to the internet
// while the gateway answers at once. The loads are the throughput check's
// transfers, bounded in bytes and time, and never over LTE.

type Data = Measured<'latency_under_load'>['data'];
type Rtts = NonNullable<Data['internet']>;

const intervalS = 0.2;
const idlePings = 6;
/** How long after a load starts the pings begin: the queue fills first. */
const fillMs = 500;

export interface PingRtts {
  sent: number;
  received: number;
  rtts: number[];
}

/** iputils ping's per-reply times and its summary. */
export function parsePingRtts(output: string): PingRtts {
  const counts = /(\d+) packets transmitted, (\d+) received/.exec(output);
  const rtts = [...output.matchAll(/icmp_seq=\d+ .*time=([\d.]+) ms/g)].map((m) => Number(m[1]));
  return {
    sent: Number(counts?.[1] ?? 0),
    received: Number(counts?.[2] ?? rtts.length),
    rtts,
  };
}

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Math.round(value * 10) / 10;
}

async function pingRtts(host: string, count: number): Promise<PingRtts> {
  // -W 2: a reply more than two seconds late counts as lost (a bloated queue holds about that).
  const args = ['-n', '-c', String(count), '-i', String(intervalS), '-W', '2', host];
  const out = await run('ping', args, { timeoutMs: (count * intervalS + 6) * 1000 });
  return parsePingRtts(out.stdout);
}

/** The loaded round trip's rise over the idle one, on the worse of the two loads. */
export function rise(view: Rtts | undefined): number | undefined {
  if (view?.idleMs === undefined) return undefined;
  const loaded = [view.downloadMs, view.uploadMs].filter((v) => v !== undefined);
  if (loaded.length === 0) return undefined;
  return Math.round((Math.max(...loaded) - view.idleMs) * 10) / 10;
}

/** Idle internet round trip in range, and no load that lifts either path beyond the threshold. */
export function latencyOk(data: Data): boolean {
  const internet = data.internet;
  if (internet?.idleMs === undefined || internet.idleMs > data.maxIdleRttMs) return false;
  // Every reply lost under load is the worst rise of all.
  if (internet.downloadMs === undefined || internet.uploadMs === undefined) return false;
  return [data.internet, data.gateway].every((view) => {
    const up = rise(view);
    return up === undefined || up <= data.maxLoadedRttIncreaseMs;
  });
}

interface Phase {
  gateway?: PingRtts;
  internet: PingRtts;
}

async function pingBoth(gateway: string | undefined, target: string, count: number) {
  const [g, i] = await Promise.all([
    gateway ? pingRtts(gateway, count) : Promise.resolve(undefined),
    pingRtts(target, count),
  ]);
  return { gateway: g, internet: i };
}

/** Pings while a transfer loads the line; the load stops once the pings are done. */
async function loaded(
  gateway: string | undefined,
  target: string,
  count: number,
  load: (signal: AbortSignal) => Promise<Transfer>,
): Promise<{ phase: Phase; transfer: Transfer }> {
  const stop = new AbortController();
  const transfer = load(stop.signal).catch((err: Error) => err);
  await sleep(fillMs);
  const phase = await pingBoth(gateway, target, count);
  stop.abort();
  const moved = await transfer;
  if (moved instanceof Error) throw moved;
  return { phase, transfer: moved };
}

function view(address: string, idle: PingRtts, down: PingRtts, up: PingRtts): Rtts {
  return {
    address,
    // The path's own round trip: the least, as a queue still draining from before only adds.
    idleMs: idle.rtts.length > 0 ? Math.min(...idle.rtts) : undefined,
    downloadMs: median(down.rtts),
    uploadMs: median(up.rtts),
    sent: idle.sent + down.sent + up.sent,
    received: idle.received + down.received + up.received,
  };
}

export async function latencyUnderLoad(
  config: AgentConfig,
): Promise<Skippable<'latency_under_load'>> {
  const server = await speedTestServer(config);
  const target = config.internetTargets[0]!;
  const base: Data = {
    server: server.url,
    interface: server.iface,
    load: {},
    maxIdleRttMs: checkThresholds.maxIdleRttMs,
    maxLoadedRttIncreaseMs: checkThresholds.maxLoadedRttIncreaseMs,
  };
  try {
    if (server.skipped) {
      return { ok: false, data: { ...base, skipped: server.skipped }, error: skippedWhy(server) };
    }
    const gateway = await defaultGateway(config.interface);
    const seconds = config.throughput.loadSeconds;
    const count = Math.max(3, Math.round(seconds / intervalS));
    const limits = {
      maxBytes: Math.round(config.throughput.maxMB * 1_000_000),
      // The pings decide when the load ends; this only bounds a load that would not stop.
      maxSeconds: seconds + 4,
    };
    const idle = await pingBoth(gateway, target, idlePings);
    const down = await loaded(gateway, target, count, (signal) =>
      download(server, { ...limits, signal }),
    );
    await sleep(drainMs);
    const up = await loaded(gateway, target, count, (signal) =>
      upload(server, { ...limits, signal }),
    );
    await sleep(drainMs);
    const data: Data = {
      ...base,
      gateway:
        gateway && idle.gateway && down.phase.gateway && up.phase.gateway
          ? view(gateway, idle.gateway, down.phase.gateway, up.phase.gateway)
          : undefined,
      internet: view(target, idle.internet, down.phase.internet, up.phase.internet),
      load: { downloadMbps: down.transfer.mbps, uploadMbps: up.transfer.mbps },
    };
    return { ok: latencyOk(data), data };
  } finally {
    server.close();
  }
}
