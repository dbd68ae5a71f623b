import type { CaseStatus, IssueCategory } from '../contracts/case';
import type { ResolvedBy } from '../contracts/caseFigures';
import type { Outage } from '../contracts/monitor';

// The monthly report's plain words for what the figures hold as typed fields: a case's
// problem and outcome, what failed in an outage, dates and shares. No ids, no check names.

export const problemLabels: Record<IssueCategory, string> = {
  unknown: 'A network problem',
  none: 'Nothing found wrong',
  dns: 'Websites not opening (name lookups failing)',
  dhcp: 'Computers not getting a network address',
  gateway: 'Router not answering',
  modem: 'Modem not passing traffic',
  isp: 'Internet provider outage',
  'packet-loss': 'Unreliable internet (traffic getting lost)',
  link: 'Network cable without a connection',
  filtering: 'Internet traffic being blocked',
  clock: "The Zen box's clock was wrong",
  'ip-conflict': 'Two devices using the same address',
  ipv6: 'Newer internet addressing not working',
  wifi: 'Wi-Fi not working properly',
  performance: 'Slow network or internet',
  'lan-device': 'A device on the network not answering',
};

export const outageLabels: Record<Outage['kind'], string> = {
  offline: 'The Zen box could not be reached',
  gateway: 'Your router stopped answering',
  dns: 'Website names could not be looked up',
  internet: 'The internet could not be reached',
  http: 'Websites did not load',
};

/** How a case ended (or that it goes on), as the customer reads it. */
export function outcomeWords(status: CaseStatus, outcome?: string, by?: ResolvedBy): string {
  switch (outcome) {
    case 'resolved':
      return by === 'technician'
        ? 'Fixed by a technician'
        : by === 'customer'
          ? 'Fixed, with your help'
          : 'Fixed';
    case 'not_fixable_remotely':
      return 'Needs a visit or your provider';
    case 'escalated':
      return 'Passed to a technician';
    case 'cancelled':
      return 'Cancelled';
  }
  return status === 'awaiting_technician' || status === 'with_technician'
    ? 'With a technician'
    : 'Still open';
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "Tue 14 Oct" */
export function dayWords(iso: string): string {
  const d = new Date(iso);
  return `${weekdays[d.getUTCDay()]} ${d.getUTCDate()} ${months[d.getUTCMonth()]}`;
}

/** "14:05" (UTC) */
export function clockWords(iso: string): string {
  return new Date(iso).toISOString().slice(11, 16);
}

/** "Tue 14 Oct, 14:05" */
export function dateTimeWords(iso: string): string {
  return `${dayWords(iso)}, ${clockWords(iso)}`;
}

/** "99.72%", "100%" */
export function percentWords(pct: number): string {
  return `${Number(pct.toFixed(2))}%`;
}
