import type { CaseChannel } from '../contracts/case';
import type { CheckName } from '../contracts/checks';
import type { ManualStep } from './messages';

// The words a case's progress is told in: shown in the portal and read aloud on calls,
// so plain English, never a check id. The ids stay in each step's details for operators.

const checkWords: Record<CheckName, string> = {
  link: 'connection',
  ip_config: 'addresses',
  dhcp: 'automatic addresses',
  gateway: 'router',
  dns: 'name lookups',
  internet: 'internet',
  http: 'websites',
  traceroute: 'route to the internet',
  modem: 'modem',
  mdns: 'devices that announce themselves',
  lte: 'mobile backup link',
  dhcp_servers: 'address servers',
  dns_integrity: 'name lookup answers',
  path_mtu: 'packet sizes',
  captive_portal: 'sign-in pages',
  tcp_tls: 'secure connections',
  clock_offset: 'clock',
  throughput: 'speed',
  latency_under_load: 'speed while busy',
  router_api: 'router settings',
  ip_conflict: 'duplicate addresses',
  ipv6: 'IPv6',
  lan_inventory: 'devices on your network',
  wifi: 'Wi-Fi',
};

/** "connection, addresses and router": each check once, in the order asked. */
export function checksInWords(checks: readonly CheckName[]): string {
  const words = [...new Set(checks.map((c) => checkWords[c] ?? 'other checks'))];
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

export function checkingText(checks: readonly CheckName[], again: boolean): string {
  return `${again ? 'Checking your network again' : 'Checking your network'} (${checksInWords(checks)})`;
}

export function checkedText(failed: readonly CheckName[]): string {
  return failed.length
    ? `Found a problem with ${checksInWords(failed)}`
    : 'Every check of your network passed';
}

export const channelWords: Record<CaseChannel, string> = {
  portal: 'the portal',
  phone: 'a phone call',
  agent: 'the Zen box',
  api: 'the API',
};

/**
 * Said the moment the Zen box cannot reach us, while the case keeps waiting for it: what
 * the customer can look at now, before any guess at the cause.
 */
export function unreachableNow(): ManualStep {
  return {
    title: 'Check your Zen box and your internet',
    steps: [
      'Check that the Zen box has power: its light is on.',
      'Check that its network cable is clicked in at both ends.',
      'Check whether the internet works on a computer in the office.',
    ],
    because:
      'The Zen box lost its connection to us. We keep waiting for it and carry on by ourselves as soon as it is back.',
    category: 'unknown',
  };
}
