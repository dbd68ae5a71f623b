import type { CaseStatus, IssueCategory } from '#shared/types/api';

// The product's vocabulary in plain words, for people rather than engineers.

const STATUS_LABELS: Record<CaseStatus, string> = {
  open: 'Open',
  diagnosing: 'Checking your network',
  awaiting_approval: 'Waiting for your approval',
  awaiting_customer: 'Waiting for your step',
  fixing: 'Fixing',
  verifying: 'Checking the fix',
  resolved: 'Resolved',
  escalated: 'Passed to a technician',
  cancelled: 'Closed',
};

export function statusLabel(status: CaseStatus): string {
  return STATUS_LABELS[status] ?? status;
}

export function statusTone(status: CaseStatus): 'good' | 'bad' | 'working' {
  if (status === 'resolved') return 'good';
  if (status === 'escalated' || status === 'cancelled') return 'bad';
  return 'working';
}

export function isClosed(status: CaseStatus): boolean {
  return status === 'resolved' || status === 'escalated' || status === 'cancelled';
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
};

export function checkLabel(check: string): string {
  return CHECK_LABELS[check] ?? check;
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

export function ledLabel(led: string | undefined): string {
  return led === undefined ? '—' : (LED_LABELS[led] ?? led);
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
