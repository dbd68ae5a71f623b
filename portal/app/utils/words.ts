// Relative, not #shared: jest reads this file too.
import type { CaseStatus, IssueCategory } from '../../shared/types/api';

// The product's vocabulary in plain words, for people rather than engineers.

const STATUS_LABELS: Record<CaseStatus, string> = {
  open: 'Open',
  diagnosing: 'Checking your network',
  awaiting_approval: 'Waiting for your approval',
  awaiting_customer: 'Waiting for your step',
  fixing: 'Fixing',
  verifying: 'Checking the fix',
  awaiting_technician: 'Waiting for a technician',
  with_technician: 'With a technician',
  resolved: 'Resolved',
  escalated: 'Passed to a technician',
  not_fixable_remotely: 'Needs more than a remote fix',
  cancelled: 'Closed',
};

export function statusLabel(status: CaseStatus): string {
  return STATUS_LABELS[status] ?? status;
}

export function statusTone(status: CaseStatus): 'good' | 'bad' | 'working' {
  if (status === 'resolved') return 'good';
  if (status === 'escalated' || status === 'not_fixable_remotely' || status === 'cancelled') {
    return 'bad';
  }
  return 'working';
}

/** The status in words, saying so when the Zen box cannot be reached during an open case. */
export function caseStatusLabel(status: CaseStatus, deviceOnline = true): string {
  return !deviceOnline && !isClosed(status) ? 'Zen box cannot be reached' : statusLabel(status);
}

export function isClosed(status: CaseStatus): boolean {
  return (
    status === 'resolved' ||
    status === 'escalated' ||
    status === 'not_fixable_remotely' ||
    status === 'cancelled'
  );
}

const CATEGORY_LABELS: Record<IssueCategory, string> = {
  unknown: 'Not yet known',
  none: 'No fault found',
  dns: 'Name lookups (DNS)',
  dhcp: 'Network addresses (DHCP)',
  gateway: 'Router',
  modem: 'Modem',
  isp: 'Internet provider',
  'packet-loss': 'Lost traffic',
  link: 'Network cable or link',
  filtering: 'Blocked or filtered traffic',
  clock: 'Clock and time',
  'ip-conflict': 'Address conflict',
  ipv6: 'IPv6',
  wifi: 'Wi-Fi',
  performance: 'Speed and delay',
  'lan-device': 'A device in the office',
};

export function categoryLabel(category: IssueCategory): string {
  return CATEGORY_LABELS[category] ?? category;
}

const CHECK_LABELS: Record<string, string> = {
  link: 'Network cable and link',
  ip_config: 'Network address of the Zen box',
  dhcp: 'Address server (DHCP)',
  gateway: 'Router',
  dns: 'Name lookups (DNS)',
  internet: 'Internet reachability',
  http: 'Websites',
  traceroute: 'Route to the internet',
  modem: 'Modem',
  mdns: 'Devices on your network',
  lte: 'LTE backup line',
  dhcp_servers: 'Address servers on your network',
  dns_integrity: 'Honest name answers',
  path_mtu: 'Packet size on the way out',
  captive_portal: 'Unchanged web pages',
  tcp_tls: 'Secure connections',
  clock_offset: "The Zen box's clock",
  throughput: 'Line speed',
  latency_under_load: 'Delay while the line is busy',
  router_api: "The router's own report",
  ip_conflict: 'Address taken twice',
  ipv6: 'IPv6',
  lan_inventory: 'Devices in the office',
  wifi: 'Wi-Fi',
};

/** A check in words; an id the portal does not know yet reads as a generic check, never as the id. */
export function checkLabel(check: string): string {
  return CHECK_LABELS[check] ?? 'Another check';
}

const checkList = (ids: string) =>
  ids
    .split(',')
    .map((id) => checkLabel(id.trim()))
    .join(', ');

/**
 * A case's progress line in customer words. The workflow's lines name checks by id
 * ("Round 1: running link, ip_config"); older cases keep them in their history.
 */
export function plainStep(text: string | undefined): string {
  if (!text) return '';
  const running = text.match(/^Round \d+: running (.+)$/);
  if (running) return `Checking: ${checkList(running[1]!)}`;
  const failed = text.match(/^Round \d+: (\d+) of (\d+) checks failed \((.+)\)$/);
  if (failed)
    return `${failed[1]} of ${failed[2]} checks found a problem: ${checkList(failed[3]!)}`;
  const passed = text.match(/^Round \d+: all (\d+) checks passed$/);
  if (passed) return `All ${passed[1]} checks passed`;
  const more = text.match(/^(.*?)more checks: (.+)$/);
  if (more) return `More checks to run: ${checkList(more[2]!)}`;
  // Any other id that slipped into a line (ip_config, dhcp_servers…): its words instead.
  return text.replace(/\b[a-z]+(?:_[a-z0-9]+)+\b/g, (id) => checkLabel(id));
}

/** A heading or link for free text: its first line, cut near `max` characters at a word. */
export function shortTitle(text: string | undefined, max = 80): string {
  const line = (text ?? '').trim().split(/\r?\n/)[0]!.trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

// The status light's states (agent/peripherals/ledState.ts), as its colour and meaning.
const LED_LABELS: Record<string, string> = {
  idle: 'Green: all is well',
  idle_lte: 'Cyan: all is well, on its LTE backup',
  diagnosing: 'Blue: running checks',
  waiting_approval: 'Amber: a fix waits for approval',
  fixing: 'Violet: carrying out a fix',
  fault: 'Red: something failed',
  offline: 'Grey: no link to us',
  untrusted: 'Magenta: refused a server it does not trust',
};

/** What the light last showed; a box that is not connected may show anything, so: unknown. */
export function ledLabel(led: string | undefined, online = true): string {
  if (!online) return 'Unknown: the box is offline';
  return led === undefined ? '—' : (LED_LABELS[led] ?? 'Unknown');
}

/** The Temporal UI page of one case's workflow run (the workflow id is per device). */
export function temporalUrl(base: string, namespace: string, workflowId: string, runId?: string) {
  const root = `${base.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${root}/${encodeURIComponent(runId)}/history` : root;
}

export function formatTime(value: string | number | undefined): string {
  if (value === undefined) return '—';
  return new Date(value).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
