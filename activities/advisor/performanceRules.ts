import type { Advice } from '../../contracts/advice';
import type { CheckName, CheckResult } from '../../contracts/diagnostics';
import { checkThresholds } from '../../contracts/diagnostics';
import { escalate } from './answers';
import type { Latest } from './guard';

// "The internet is slow", read as a network engineer separates it: the box's
// own connection capping what it can measure, a queue inside the office, a
// queue on the line that fills under load (bufferbloat), a long path, or a line
// that is simply slow. (A slow resolver is dns_integrity's, in longTail.ts.)
// Every figure in the words is a measured number; there is no plan speed in
// the data, so the customer compares the figures with their contract. No
// catalog fix makes a line faster, and a power cycle never does: each of
// these hands over with steps.

type ResultOf<K extends CheckName> = Extract<CheckResult, { check: K }>;
type Rule = (r: Latest) => Advice | undefined;
type Rtts = NonNullable<ResultOf<'latency_under_load'>['data']['internet']>;

/** A rate for people: whole Mbit/s from 10 up, one decimal below. */
const mbit = (mbps: number) =>
  `${mbps >= 10 ? Math.round(mbps) : Math.round(mbps * 10) / 10} Mbit/s`;
const msText = (ms: number) => `${Math.round(ms)} ms`;

/** The worse loaded round trip's rise over the idle one; undefined when not measured. */
function rise(view: Rtts | undefined): { loadedMs?: number; riseMs?: number } {
  if (!view || view.idleMs === undefined) return {};
  const loaded = [view.downloadMs, view.uploadMs].filter((v) => v !== undefined);
  // Every reply lost under load: the queue holds more than the pings waited for.
  if (loaded.length < 2) return { riseMs: Infinity };
  const loadedMs = Math.max(...loaded);
  return { loadedMs, riseMs: loadedMs - view.idleMs };
}

/** The rates measured: the throughput check's, else what the latency check's load moved. */
function rates(r: Latest): { down?: number; up?: number } {
  const t = r.throughput?.data;
  if (t?.download && t.upload) return { down: t.download.mbps, up: t.upload.mbps };
  const load = r.latency_under_load?.data.load;
  return { down: load?.downloadMbps, up: load?.uploadMbps };
}

function measuredRates(r: Latest): string {
  const { down, up } = rates(r);
  return down !== undefined && up !== undefined
    ? `${mbit(down)} down and ${mbit(up)} up`
    : 'not measured';
}

function slowDirections(t: ResultOf<'throughput'>['data']): string[] {
  const slow: string[] = [];
  if (t.download && t.download.mbps < t.minDownloadMbps) slow.push('download');
  if (t.upload && t.upload.mbps < t.minUploadMbps) slow.push('upload');
  return slow;
}

/** The box's own Ethernet link is what limits the speed test: the line is not measured at all. */
const lanCapRule: Rule = (r) => {
  const t = r.throughput;
  const speed = r.link?.data.speedMbps;
  if (!t || t.ok || !t.data.download || !t.data.upload || speed === undefined) return undefined;
  if (speed > 100) return undefined;
  const best = Math.max(t.data.download.mbps, t.data.upload.mbps);
  if (best < speed * 0.7) return undefined;
  return escalate(
    'link',
    `The support box's own network connection runs at only ${speed} Mbit/s, so it cannot tell how fast your internet line is; a damaged cable or a worn port often drops a connection to this speed.`,
    [
      '1. Look at the network cable between the support box and your router or switch: replace it with an undamaged one marked Cat5e or Cat6 if you have one.',
      '2. Plug it into another free port of the router or switch.',
      '3. If your computers also feel slow, check their cables the same way: a connection that lights amber instead of green on many switches runs at 100 Mbit/s or less.',
      'A technician will call you to check the speed again.',
      `For the technician: eth0 negotiated ${speed} Mbit/s; the speed test moved ${measuredRates(r)}, which that link caps. Check the cable, the switch port and duplex; the line itself was not measured.`,
    ].join('\n'),
    `throughput ${measuredRates(r)} against a box link of ${speed} Mbit/s: the measurement is capped by the box's own Ethernet link, not by the line.`,
  );
};

/** Round trips to the router itself rise under load: the queue is inside the office. */
const lanQueueRule: Rule = (r) => {
  const l = r.latency_under_load;
  if (!l || l.ok) return undefined;
  const { maxLoadedRttIncreaseMs } = l.data;
  const gateway = rise(l.data.gateway);
  if (gateway.riseMs === undefined || gateway.riseMs <= maxLoadedRttIncreaseMs) return undefined;
  const address = l.data.gateway!.address;
  return escalate(
    'lan-device',
    `When the internet line is busy, even your own router (${address}) answers slowly: round trips to it rise from ${msText(l.data.gateway!.idleMs!)} to ${gateway.loadedMs === undefined ? 'no answer at all' : msText(gateway.loadedMs)}. The delay is inside your office network, not on the line.`,
    [
      '1. Note whether the router feels hot or its lights behave oddly; do not restart it for this, a restart does not change how it handles traffic.',
      '2. If the support box or your computers reach the router through a small extra switch or a Wi-Fi extender, tell the technician which.',
      'A technician will call you to look at the router and the network between it and your computers.',
      `For the technician: gateway RTT idle ${msText(l.data.gateway!.idleMs!)}, loaded ${gateway.loadedMs === undefined ? 'lost' : msText(gateway.loadedMs)} while the line moved ${measuredRates(r)}. Check the router's CPU under load, switch uplinks and duplex, and any powerline or Wi-Fi hop in the path.`,
    ].join('\n'),
    `latency_under_load: round trips to the gateway rise by ${gateway.riseMs === Infinity ? 'all replies lost' : msText(gateway.riseMs)} under load (limit ${maxLoadedRttIncreaseMs} ms): a queue inside the LAN or an overloaded router.`,
  );
};

/** Round trips to the internet explode under load while the router stays quick: bufferbloat. */
const bufferbloatRule: Rule = (r) => {
  const l = r.latency_under_load;
  if (!l || l.ok) return undefined;
  const { internet, maxLoadedRttIncreaseMs } = l.data;
  const line = rise(internet);
  if (line.riseMs === undefined || line.riseMs <= maxLoadedRttIncreaseMs) return undefined;
  const { down, up } = rates(r);
  const idle = msText(internet!.idleMs!);
  const loaded =
    line.loadedMs === undefined ? 'no answer within two seconds' : msText(line.loadedMs);
  const shaping =
    down !== undefined && up !== undefined
      ? `set its download limit to ${mbit(down * 0.9)} and its upload limit to ${mbit(up * 0.9)} (90 % of what the line measured: ${mbit(down)} down, ${mbit(up)} up)`
      : 'set its limits to about 90 % of the speed your line really delivers';
  const slow = r.throughput && !r.throughput.ok;
  return escalate(
    'performance',
    `When anyone downloads or uploads, everything else on your line waits in a long queue at the modem or router: round trips rise from ${idle} to ${loaded}. That is what makes video calls choppy and pages stall while the line is busy ("bufferbloat").${slow ? ` The line also delivers only ${measuredRates(r)}.` : ''}`,
    [
      '1. Open your router\'s settings and look for "SQM", "Smart Queue Management", "Adaptive QoS" or "bandwidth control" (using "fq_codel" or "cake" if it asks).',
      `2. Turn it on and ${shaping}, then save.`,
      '3. If your router has no such setting, ask your provider whether their modem can limit its queue, or consider a router that supports SQM.',
      'Restarting the router or modem does not help with this. A technician will call you to set it up with you and measure again.',
      `For the technician: RTT to ${internet!.address} idle ${idle}, during download ${internet!.downloadMs === undefined ? 'lost' : msText(internet!.downloadMs)}, during upload ${internet!.uploadMs === undefined ? 'lost' : msText(internet!.uploadMs)}; gateway unaffected; line ${measuredRates(r)}. Enable SQM (cake or fq_codel) on the WAN shaped to ~90 % of the measured rates; if the queue is in the provider's equipment, raise it with them.`,
    ].join('\n'),
    `latency_under_load: round trips to the internet rise by ${line.riseMs === Infinity ? 'all replies lost' : msText(line.riseMs)} under load (limit ${maxLoadedRttIncreaseMs} ms) while the gateway stays quick: an oversized queue on the line (bufferbloat).`,
  );
};

/** A long path: the router answers at once, the internet hundreds of milliseconds later. */
const highLatencyRule: Rule = (r) => {
  const l = r.latency_under_load;
  const idleFromLoad = l?.data.internet?.idleMs;
  const pings = (r.internet?.data.targets ?? []).map((t) => t.avgMs);
  const idleFromPing =
    pings.every((ms) => ms !== undefined) && pings.length > 0
      ? Math.min(...(pings as number[]))
      : undefined;
  const idle = idleFromLoad ?? idleFromPing;
  const limit = l?.data.maxIdleRttMs ?? checkThresholds.maxIdleRttMs;
  if (idle === undefined || idle <= limit) return undefined;
  const router = l?.data.gateway?.idleMs ?? r.gateway?.data.rttMs;
  // A router that is slow itself puts the delay inside the office: not this rule's.
  if (router !== undefined && router > limit / 2) return undefined;
  const target = l?.data.internet?.address ?? r.internet?.data.targets[0]?.host;
  return escalate(
    'performance',
    `Every connection to the internet takes ${msText(idle)} for a round trip, while your own router answers ${router === undefined ? 'quickly' : `in ${msText(router)}`}: the delay is on the line or in your provider's network. Pages take a moment to start and calls lag.`,
    [
      '1. If your internet comes over satellite, this delay is normal for it; a fixed or mobile line would be quicker.',
      `2. Otherwise call your provider and say: "Round trips from my line to the internet take ${msText(idle)}, while my own network answers ${router === undefined ? 'at once' : `in ${msText(router)}`}; please check my line's routing and congestion." Ask for a ticket reference; we will note it on this case.`,
      'Restarting your equipment does not change this. A technician will call you.',
      `For the technician: idle RTT to ${target ?? 'the internet targets'} ${msText(idle)} (limit ${limit} ms), gateway ${router === undefined ? 'not measured' : msText(router)}; line ${measuredRates(r)}. Traceroute shows where the delay starts.`,
    ].join('\n'),
    `The idle round trip to the internet is ${msText(idle)} (limit ${limit} ms) while the gateway answers ${router === undefined ? 'normally' : `in ${msText(router)}`}: a long path on the line or the provider's network.`,
  );
};

/** The line delivers less than an office needs, with a sane queue. */
const slowLineRule: Rule = (r) => {
  const t = r.throughput;
  if (!t || t.ok || !t.data.download || !t.data.upload) return undefined;
  const slow = slowDirections(t.data);
  if (slow.length === 0) return undefined;
  const { download, upload, minDownloadMbps, minUploadMbps } = t.data;
  const figures = `${mbit(download.mbps)} down and ${mbit(upload.mbps)} up`;
  const latency = r.latency_under_load?.data.internet;
  return escalate(
    'performance',
    `Your internet line delivers ${figures}, measured by the support box on its wired connection. That is too slow for an office's video calls and cloud services${slow.length === 1 ? ` (the ${slow[0]} especially)` : ''}.`,
    [
      '1. Compare these figures with the speed on your internet contract or bill.',
      '2. If you can, run a speed test on a computer connected by cable at a quiet time, to confirm.',
      `3. Call your provider and say: "My line delivers ${figures}; please run a line test and check it against my plan." Ask for a ticket reference; we will note it on this case.`,
      '4. If the line delivers what you pay for, it is too small for how the office uses it: ask about a faster plan.',
      'Restarting your equipment does not make the line faster. A technician will call you.',
      `For the technician: download ${mbit(download.mbps)} (${download.bytes} bytes in ${download.seconds} s), upload ${mbit(upload.mbps)} (${upload.bytes} bytes in ${upload.seconds} s); office minimum ${minDownloadMbps}/${minUploadMbps} Mbit/s${latency?.idleMs !== undefined ? `; RTT ${msText(latency.idleMs)} idle, ${[latency.downloadMs, latency.uploadMs].map((v) => (v === undefined ? 'lost' : msText(v))).join('/')} loaded down/up` : ''}. Check the line's sync rate and errors with the provider.`,
    ].join('\n'),
    `throughput: ${figures}, below the office minimum of ${minDownloadMbps}/${minUploadMbps} Mbit/s, with the box's own link faster than that: the line itself is slow.`,
  );
};

/** In order: the box's own link, a queue in the office, bufferbloat, a long path, a slow line. */
export const performanceRules: Rule[] = [
  lanCapRule,
  lanQueueRule,
  bufferbloatRule,
  highLatencyRule,
  slowLineRule,
];

/**
 * The customer describes slowness, yet the line and the router measure well from the
 * wired box, loaded and idle: what is slow is one device or its Wi-Fi. Not a rule of
 * the results alone (offline.ts asks it only when the description points at slowness).
 */
export function slownessElsewhere(r: Latest): Advice | undefined {
  const t = r.throughput;
  const l = r.latency_under_load;
  if (!t?.ok || !l?.ok || !t.data.download || !t.data.upload || !l.data.internet) return undefined;
  const { internet } = l.data;
  const loaded = Math.max(internet.downloadMs ?? 0, internet.uploadMs ?? 0);
  const figures = `${mbit(t.data.download.mbps)} down and ${mbit(t.data.upload.mbps)} up`;
  return escalate(
    'lan-device',
    `Your internet line and your router are working well: the support box, on a cable, measured ${figures}, and round trips stay at ${msText(loaded)} even while the line is busy. What is slow is most likely the computer itself or its Wi-Fi connection.`,
    [
      '1. Check whether every computer is slow, or only some: note which ones.',
      '2. Connect a slow computer with a network cable, or sit next to the Wi-Fi access point, and try again. If it is quick then, the Wi-Fi is the problem: walls, distance and many devices on one access point slow it down; the 5 GHz network (often named with "5G") is faster nearby.',
      '3. On the slow computer, look for large downloads, backups or cloud sync running: they share the line with everything else.',
      'Restarting your router or modem will not help here. A technician will call you to look at the Wi-Fi and the computers with you.',
      `For the technician: wired measurement ${figures}; RTT to ${internet.address} ${msText(internet.idleMs ?? 0)} idle, ${msText(loaded)} loaded. Check the Wi-Fi (signal, channel, band, airtime), the device's link speed and its background traffic.`,
    ].join('\n'),
    'The customer describes slowness, but throughput and latency_under_load both pass from the wired box: the line and the router are fine, so the slowness is in a device or its Wi-Fi, which the box cannot measure.',
  );
}
