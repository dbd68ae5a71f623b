// Relative, not #shared: the root type check and jest read this file too.
import type { CheckResult } from '../../shared/types/api';

// Check results in words and numbers a person can read, from the data the Zen box sends.

/** The fields of every check's data that the portal reads (see contracts/diagnostics.ts). */
interface Measured {
  up?: boolean;
  interface?: string;
  linkLocalOnly?: boolean;
  address?: string;
  gateway?: string;
  offerReceived?: boolean;
  arpResolved?: boolean;
  rttMs?: number;
  lossPct?: number;
  configured?: { server?: string; ok?: boolean; ms?: number };
  reference?: { server?: string; ok?: boolean; ms?: number };
  targets?: { host: string; lossPct: number; avgMs?: number }[];
  ok?: boolean;
  totalMs?: number;
  reachedTarget?: boolean;
  reachable?: boolean;
  upstreamLocked?: boolean;
  url?: string;
  services?: unknown[];
  present?: boolean;
  registered?: boolean;
  signalDbm?: number;
}

/** One bar: a measured value, or a measurement that got no answer (drawn as failed). */
export interface ChartPoint {
  label: string;
  value?: number;
}

function ms(value: unknown): string {
  return typeof value === 'number' ? `${Math.round(value)} ms` : 'no answer';
}

/** One sentence on what the check found. */
export function checkSummary(result: CheckResult): string {
  const d = result.data as Measured;
  if (result.error) return result.error;
  switch (result.check) {
    case 'link':
      return d.up ? `Connected on ${d.interface}` : `No link on ${d.interface}: check the cable`;
    case 'ip_config':
      if (d.linkLocalOnly) return 'No address from the router (self-assigned only)';
      return d.address ? `Address ${d.address}, router ${d.gateway ?? 'unknown'}` : 'No address';
    case 'dhcp':
      return d.offerReceived ? 'The address server answers' : 'No address server answered';
    case 'gateway':
      return d.arpResolved
        ? `Router answers in ${ms(d.rttMs)}, ${d.lossPct}% lost`
        : 'The router does not answer';
    case 'dns': {
      const configured = d.configured?.ok
        ? `Your name server answers in ${ms(d.configured.ms)}`
        : `Your name server${d.configured?.server ? ` ${d.configured.server}` : ''} does not answer`;
      const reference = d.reference?.ok
        ? `the backup ${d.reference.server} works`
        : `the backup ${d.reference?.server} fails too`;
      return `${configured}; ${reference}`;
    }
    case 'internet': {
      const targets = d.targets ?? [];
      const reached = targets.filter((t) => t.lossPct < 100).length;
      const words = `${reached} of ${targets.length} internet addresses reached`;
      const worstLoss = Math.max(
        0,
        ...targets.filter((t) => t.lossPct < 100).map((t) => t.lossPct),
      );
      if (result.ok || reached < targets.length) return words;
      return worstLoss > 0
        ? `${words}, but up to ${worstLoss}% of traffic is lost`
        : `${words}, but slowly`;
    }
    case 'http':
      return d.ok ? `Websites load (${ms(d.totalMs)})` : 'Websites do not load';
    case 'traceroute':
      return d.reachedTarget ? 'The route to the internet is complete' : 'The route stops early';
    case 'modem':
      if (!d.reachable) return 'The modem does not answer';
      if (d.upstreamLocked === false)
        return 'The modem answers, but it has no signal from your internet provider';
      return result.ok ? 'The modem answers' : 'The modem answers, but reports a problem';
    case 'mdns':
      return `${(d.services ?? []).length} devices announce themselves`;
    case 'lte':
      if (!d.present) return 'No LTE modem';
      return `${d.registered ? 'Registered' : 'Not registered'}${typeof d.signalDbm === 'number' ? `, signal ${d.signalDbm} dBm` : ''}`;
    case 'dhcp_servers':
      return addressServers(result.data as AddressServers);
    case 'dns_integrity': {
      const findings = (result.data as { findings?: string[] }).findings ?? [];
      return findings.length === 0
        ? 'Your name server gives the same answers as the backup'
        : `Your name server ${findings.map((f) => dnsFindings[f] ?? f).join(', ')}`;
    }
    case 'path_mtu': {
      const { largestPassing } = result.data as { largestPassing?: number };
      return largestPassing === undefined
        ? 'No packet size got through'
        : `Packets up to ${largestPassing} bytes get through${result.ok ? '' : ': too small, some sites will hang'}`;
    }
    case 'captive_portal':
      return result.ok
        ? 'Web pages arrive unchanged'
        : 'Something on the way changes or redirects web pages (a login page or a proxy)';
    case 'tcp_tls': {
      const { targets = [] } = result.data as {
        targets?: { tcp: string; tls?: { ok: boolean } }[];
      };
      const working = targets.filter((t) => t.tcp === 'open' && t.tls?.ok !== false).length;
      return `${working} of ${targets.length} secure connections work`;
    }
    case 'clock_offset': {
      const { offsetMs } = result.data as { offsetMs?: number };
      if (offsetMs === undefined) return 'The time server did not answer';
      const seconds = Math.abs(offsetMs) / 1000;
      return `The Zen box's clock is ${seconds < 1 ? 'right' : `${seconds.toFixed(1)} s off`}`;
    }
    case 'throughput': {
      const { skipped, download, upload } = result.data as {
        skipped?: string;
        download?: { mbps: number };
        upload?: { mbps: number };
      };
      if (skipped) return 'Not measured: the Zen box is on its LTE link (metered data)';
      if (!download || !upload) return 'The speed test did not finish';
      const rate = (mbps: number) => (mbps >= 10 ? mbps.toFixed(0) : mbps.toFixed(1));
      return `The line delivers ${rate(download.mbps)} Mbit/s down and ${rate(upload.mbps)} up${result.ok ? '' : ': too slow for an office'}`;
    }
    case 'latency_under_load': {
      const { skipped, internet } = result.data as {
        skipped?: string;
        internet?: { idleMs?: number; downloadMs?: number; uploadMs?: number };
      };
      if (skipped) return 'Not measured: the Zen box is on its LTE link (metered data)';
      if (internet?.idleMs === undefined) return 'The internet did not answer';
      const loaded = Math.max(internet.downloadMs ?? Infinity, internet.uploadMs ?? Infinity);
      const busy = Number.isFinite(loaded) ? `${Math.round(loaded)} ms` : 'no answer';
      return `Round trips to the internet: ${Math.round(internet.idleMs)} ms idle, ${busy} while the line is busy${result.ok ? '' : ': calls and pages lag'}`;
    }
    case 'router_api':
      return routerApi(result.data as RouterApi);
    case 'ip_conflict':
      return addressConflict(result.data as AddressConflict);
    case 'ipv6': {
      const { offered, findings = [] } = result.data as { offered?: boolean; findings?: string[] };
      if (!offered) return 'No IPv6 on this network: everything uses IPv4';
      if (findings.includes('unreachable'))
        return 'The router offers IPv6 but it leads nowhere: apps that prefer it stall';
      if (findings.includes('lossy')) return 'IPv6 works but loses packets';
      return 'IPv6 works';
    }
    case 'lan_inventory': {
      const { devices = [], answering = 0 } = result.data as {
        devices?: { answers: boolean; seenBefore: boolean; kind: string; address: string }[];
        answering?: number;
      };
      const gone = devices.filter((d) => !d.answers && d.seenBefore);
      if (gone.length === 0) return `${answering} devices answer on the network; none is missing`;
      return `${answering} devices answer; no longer answering: ${gone.map((d) => `${d.kind} ${d.address}`).join(', ')}`;
    }
    case 'wifi': {
      const w = result.data as {
        wireless?: boolean;
        connected?: boolean;
        signalDbm?: number;
        txBitrateMbps?: number;
        channelBusyPct?: number;
      };
      if (!w.wireless) return 'The Zen box is wired: no Wi-Fi to measure';
      if (!w.connected) return 'The Zen box is not connected to the Wi-Fi';
      const parts = [
        w.signalDbm !== undefined ? `signal ${w.signalDbm} dBm` : undefined,
        w.txBitrateMbps !== undefined ? `${w.txBitrateMbps} Mbit/s` : undefined,
        w.channelBusyPct !== undefined
          ? `channel busy ${Math.round(w.channelBusyPct)}%`
          : undefined,
      ].filter(Boolean);
      return `Wi-Fi ${result.ok ? 'works' : 'is weak or crowded'}: ${parts.join(', ')}`;
    }
    default:
      return result.ok ? 'Passed' : 'Failed';
  }
}

const dnsFindings: Record<string, string> = {
  'no-answer': 'does not answer',
  nxdomain: 'says a real name does not exist',
  'private-answer': 'answers a public name with a local address',
  'answers-differ': 'answers differently from the backup',
  slow: 'is slow',
};

interface AddressServers {
  servers?: {
    serverId: string;
    gateway?: { answers: boolean };
    dnsServers: { answers: boolean }[];
  }[];
}

/** The LAN's DHCP servers: one that hands out working settings is what an office needs. */
function addressServers({ servers = [] }: AddressServers): string {
  if (servers.length === 0) return 'No address server answered';
  if (servers.length > 1)
    return `${servers.length} address servers answer (${servers.map((s) => s.serverId).join(', ')}): only one should`;
  const [server] = servers;
  const works = server!.gateway?.answers === true && server!.dnsServers.every((d) => d.answers);
  return works
    ? 'The address server hands out a working router and name server'
    : 'The address server hands out a router or name server that does not answer';
}

interface RouterApi {
  configured?: boolean;
  problem?: string;
  wan?: { up: boolean; address?: string };
  dhcp?: { gateway: string; dnsServers: string[] };
}

const routerApiProblems: Record<string, string> = {
  unreachable: "The router's management API does not answer",
  'login-refused': "The router refused the Zen box's login",
  'permission-denied': "The router's API does not allow what the Zen box needs",
  'bad-answer': "The router's API gave an answer the Zen box could not read",
};

/** The router's own view through its API; its model and release are the router's words, left out. */
function routerApi({ configured, problem, wan, dhcp }: RouterApi): string {
  if (!configured) return "The Zen box has no login to the router's API";
  if (problem) return routerApiProblems[problem] ?? "The router's API could not be used";
  const uplink = wan?.up
    ? `The router's internet connection is up${wan.address ? ` (${wan.address})` : ''}`
    : "The router's internet connection is down";
  return dhcp
    ? `${uplink}; it hands out the gateway ${dhcp.gateway} and DNS ${dhcp.dnsServers.join(', ')}`
    : uplink;
}

interface AddressConflict {
  address?: string;
  duplicates?: unknown[];
  gateway?: { address: string; answers: unknown[] };
  findings?: string[];
}

/** One address, one device: the box's own and the router's. */
function addressConflict({ address, duplicates = [], gateway, findings = [] }: AddressConflict) {
  if (duplicates.length > 0)
    return `Another device uses the Zen box's address ${address ?? ''}`.trim();
  if (gateway && gateway.answers.length > 1)
    return `${gateway.answers.length} devices answer for the router's address ${gateway.address}`;
  if (findings.includes('gateway-mac-changed'))
    return `The router's address ${gateway?.address ?? ''} changed hands: another device answered for it before`;
  if (gateway && gateway.answers.length === 0) return 'The router did not answer';
  return 'No other device uses the Zen box’s or the router’s address';
}

// Well-known public resolvers, so a chart can say whose server an address is.
const PUBLIC_RESOLVERS: Record<string, string> = {
  '1.1.1.1': 'Cloudflare',
  '1.0.0.1': 'Cloudflare',
  '8.8.8.8': 'Google',
  '8.8.4.4': 'Google',
  '9.9.9.9': 'Quad9',
};

const at = (what: string, address: string | undefined) => (address ? `${what} (${address})` : what);

function websiteLabel(url: string | undefined): string {
  try {
    return url ? `Website (${new URL(url).hostname})` : 'Website';
  } catch {
    return 'Website';
  }
}

function backupDnsLabel(server: string | undefined): string {
  const owner = server ? PUBLIC_RESOLVERS[server] : undefined;
  return owner ? `${owner} DNS (${server})` : at('Backup name server', server);
}

const measured = (value: unknown) => (typeof value === 'number' ? value : undefined);

/** Round-trip times the checks measured, for the latency chart; no answer is a failed bar. */
export function latencyPoints(results: CheckResult[]): ChartPoint[] {
  const points: ChartPoint[] = [];
  for (const r of results) {
    const d = r.data as Measured;
    if (r.check === 'gateway') {
      points.push({ label: at('Your router', d.address), value: measured(d.rttMs) });
    }
    if (r.check === 'internet') {
      for (const t of d.targets ?? []) {
        points.push({ label: at('Internet', t.host), value: measured(t.avgMs) });
      }
    }
    if (r.check === 'dns') {
      if (d.configured) {
        points.push({
          label: at('Your name server', d.configured.server),
          value: d.configured.ok ? measured(d.configured.ms) : undefined,
        });
      }
      if (d.reference) {
        points.push({
          label: backupDnsLabel(d.reference.server),
          value: d.reference.ok ? measured(d.reference.ms) : undefined,
        });
      }
    }
    if (r.check === 'http') {
      points.push({ label: websiteLabel(d.url), value: d.ok ? measured(d.totalMs) : undefined });
    }
  }
  return points;
}

/** Packet loss the checks measured, for the loss chart. */
export function lossPoints(results: CheckResult[]): ChartPoint[] {
  const points: ChartPoint[] = [];
  for (const r of results) {
    const d = r.data as Measured;
    if (r.check === 'gateway' && typeof d.lossPct === 'number') {
      points.push({ label: at('Your router', d.address), value: d.lossPct });
    }
    if (r.check === 'internet') {
      for (const t of d.targets ?? []) {
        if (typeof t.lossPct === 'number')
          points.push({ label: at('Internet', t.host), value: t.lossPct });
      }
    }
  }
  return points;
}
