import { checkThresholds } from '../../contracts/diagnostics';
import { latencyOk } from '../linux/checks/latencyUnderLoad';
import { throughputOk } from '../linux/checks/throughput';
import type { Measured } from '../linux/checks';
import type { Fault } from './scenarios';

// The simulated line as the speed tests see it (throughput, latency_under_load):
// its rates, its queue and its delay, from the scenario's fault; never measured
// over the box's LTE link. SimulatedNetwork (network.ts) calls these.

/** What the model needs of the network's state. */
export interface LineState {
  fault: Fault;
  /** The box's own traffic goes over its LTE link. */
  onLte: boolean;
  /** The speed-test server answers by name over the office's line. */
  reachesCloud: boolean;
  router: string;
  /** The internet address the round trips go to. */
  target: string;
}

const speedTestUrl = 'https://cloud.example.net/api/device/speed-test';

/** The rates the box can measure: the line's, capped by the box's own link. */
function rates(fault: Fault) {
  const lan = (fault.lanLinkMbps ?? 1000) * 0.94;
  return {
    down: Math.min(fault.lineDownMbps ?? 250, lan),
    up: Math.min(fault.lineUpMbps ?? 50, lan),
  };
}

/** Why the speed test cannot run now, as the real check says it. */
function speedTestBlocked(
  state: LineState,
): { skipped?: 'cloud-link-on-lte'; error: string } | undefined {
  if (state.onLte) {
    return {
      skipped: 'cloud-link-on-lte',
      error: "skipped: the route to the speed-test server leaves by wwan0, the box's LTE link",
    };
  }
  if (!state.reachesCloud) {
    return { error: 'The check could not run: no answer within 5000 ms' };
  }
  return undefined;
}

/** The server both speed checks measure against, and the interface they leave by. */
function measuredFrom(state: LineState) {
  return { server: speedTestUrl, interface: state.onLte ? 'wwan0' : 'eth0' };
}

export function throughput(state: LineState): Measured<'throughput'> & { error?: string } {
  const base = {
    ...measuredFrom(state),
    minDownloadMbps: checkThresholds.minDownloadMbps,
    minUploadMbps: checkThresholds.minUploadMbps,
  };
  const blocked = speedTestBlocked(state);
  if (blocked) {
    const { skipped, error } = blocked;
    return { ok: false, data: { ...base, ...(skipped && { skipped }) }, error };
  }
  const { down, up } = rates(state.fault);
  // 4 s each way or 25 MB, whichever comes first.
  const transfer = (mbps: number) => {
    const seconds = Math.min(4, (25e6 * 8) / (mbps * 1e6));
    return { mbps, bytes: Math.round((mbps * 1e6 * seconds) / 8), seconds };
  };
  const data = { ...base, download: transfer(down), upload: transfer(up) };
  return { ok: throughputOk(data), data };
}

export function latencyUnderLoad(
  state: LineState,
): Measured<'latency_under_load'> & { error?: string } {
  const base = {
    ...measuredFrom(state),
    maxIdleRttMs: checkThresholds.maxIdleRttMs,
    maxLoadedRttIncreaseMs: checkThresholds.maxLoadedRttIncreaseMs,
  };
  const blocked = speedTestBlocked(state);
  if (blocked) {
    const { skipped, error } = blocked;
    return { ok: false, data: { ...base, load: {}, ...(skipped && { skipped }) }, error };
  }
  const { down, up } = rates(state.fault);
  const idle = 18 + (state.fault.lineDelayMs ?? 0);
  const queue = state.fault.lineQueueMs ?? 15;
  // A slow LAN link queues in the switch: the gateway's round trip rises too.
  const lanQueue = state.fault.lanLinkMbps !== undefined && state.fault.lanLinkMbps < 100 ? 40 : 0;
  const data = {
    ...base,
    gateway: {
      address: state.router,
      idleMs: 0.6,
      downloadMs: 0.9 + lanQueue,
      uploadMs: 0.8 + lanQueue,
      sent: 26,
      received: 26,
    },
    internet: {
      address: state.target,
      idleMs: idle,
      downloadMs: idle + queue + lanQueue,
      uploadMs: idle + queue * 1.2 + lanQueue,
      sent: 26,
      received: 26,
    },
    load: { downloadMbps: down, uploadMbps: up },
  };
  return { ok: latencyOk(data), data };
}
