import type { Advice } from '../../contracts/advice';
import type { CheckName, CheckResult } from '../../contracts/diagnostics';
import { escalate } from './answers';
import type { Latest } from './guard';

// The office LAN's own faults, read as a network engineer reads them: two
// devices on one address, a second device answering for the router, IPv6 that
// the router offers but the line drops, a device the customer names that the
// network no longer reaches, and a weak Wi-Fi link. None of them has a fix in
// the catalog: each hands over with steps for the customer and a note for the
// technician. Only typed values (addresses, numbers, MAC makers' prefixes,
// enums) reach the words, never a string a device chose.

type ResultOf<K extends CheckName> = Extract<CheckResult, { check: K }>;
/** A rule sees the latest results and the customer's own words (only ever matched, never quoted). */
export type LanRule = (r: Latest, description?: string) => Advice | undefined;

type ArpAnswer = ResultOf<'ip_conflict'>['data']['duplicates'][number];
const macList = (answers: ArpAnswer[]) =>
  answers.map((a) => `${a.mac} (maker prefix ${a.oui}, ${a.replies} replies)`).join(', ');

const ipConflictRule: LanRule = (r) => {
  const found = r.ip_conflict;
  if (!found || found.ok) return undefined;
  const { findings, duplicates, gateway, address } = found.data;
  if (findings.includes('address-in-use') && address) {
    const [other] = duplicates;
    return escalate(
      'ip-conflict',
      `Another device on your network uses the same address as the support box (${address}). Two devices on one address take turns losing their connection.`,
      [
        'To find the other device and give it an address of its own:',
        `1. On a computer in the office, open the router's settings page (usually http://${gateway?.address ?? 'the router'}) and its list of connected devices (often "DHCP clients" or "attached devices").`,
        `2. Look for the device at ${address} that is not the Zen box${other ? `: its hardware (MAC) address begins with ${other.oui}` : ''}. It is usually a printer, camera or storage device that someone set to a fixed address by hand.`,
        "3. On that device, switch its network setting to automatic (DHCP), or give it a fixed address outside the router's address range, then restart it.",
        'A technician will call you to help find it.',
        `For the technician: a duplicate-address probe (arping -D) for ${address} was answered by ${macList(duplicates)}. The box's address came from DHCP, so the other device has a static address inside the pool: move it out of the pool or reserve it in the router.`,
      ].join('\n'),
      `ip_conflict: another MAC answers ARP for the box's own address ${address}: an address conflict, which no fix on the box resolves for the other device.`,
    );
  }
  if (!gateway) return undefined;
  const several = findings.includes('gateway-several-macs');
  if (!several && !findings.includes('gateway-mac-changed')) return undefined;
  const evidence = several
    ? `${gateway.answers.length} MACs answered ${gateway.probes} ARP probes for ${gateway.address}: ${macList(gateway.answers)}`
    : `the box's neighbour table held ${gateway.cachedMac ?? 'another MAC'} for ${gateway.address}, while ${gateway.probes} ARP probes were answered only by ${macList(gateway.answers)}`;
  return escalate(
    'ip-conflict',
    `More than one device on your network claims to be your router (${gateway.address}). Computers send their internet traffic to whichever answered last, so connections drop now and then; if the device does it on purpose, it can read the traffic.`,
    [
      '1. Think of any device added or changed recently (a second router, a laptop or server with a fixed address, a new camera): unplug it from the network and see whether the drop-outs stop.',
      `2. A device set by hand to the router's address ${gateway.address} must get another address (or automatic, DHCP).`,
      '3. If you cannot find it, do not type passwords into websites that show certificate warnings meanwhile.',
      'A technician will call you today to track the device down.',
      `For the technician: ${evidence}. Find the stranger's port in the switch's MAC table (its maker prefix helps); if nobody owns it, treat it as ARP spoofing: unplug it and check the office's computers.`,
    ].join('\n'),
    `ip_conflict: ${findings.join(', ')}: a second device answers for the gateway's address (a misconfigured device or an ARP spoofer); nothing in the catalog reaches it.`,
  );
};

const routerOf = (r: Latest) =>
  r.ip_config?.data.gateway ?? r.gateway?.data.address ?? 'the router';

const ipv6Rule: LanRule = (r) => {
  const found = r.ipv6;
  if (!found || found.ok || found.data.findings.length === 0) return undefined;
  const { findings, targets, prefixes, router } = found.data;
  const lost = findings.includes('unreachable');
  const prefix = (prefixes.find((p) => p.announced) ?? prefixes[0])?.prefix ?? 'no global prefix';
  const pings = targets.map((t) => `${t.host} ${t.lossPct}% lost`).join(', ');
  const ipv4 = r.internet?.ok ? 'while the IPv4 targets answer' : 'IPv4 not measured';
  return escalate(
    'ipv6',
    lost
      ? 'Your router tells every device to use IPv6 (the newer form of internet addresses), but your internet line does not carry it. Apps and websites that try IPv6 first stall or do not load, while others work.'
      : 'Part of the IPv6 traffic (the newer form of internet addresses) from your network gets lost on the way, so some apps and websites are slow or stall.',
    [
      'Either of these fixes it; the first is quicker:',
      `1. On a computer in the office, open the router's settings page (usually http://${routerOf(r)}), find its IPv6 settings (often under "Internet", "WAN" or "LAN"), switch IPv6 off, save, and restart the router. Everything keeps working over IPv4.`,
      '2. Or call your internet provider and say: "My router gets IPv6 from you, but IPv6 traffic does not get through; please check IPv6 on my line." Ask for a ticket reference; we will note it on this case. Once they have fixed it, IPv6 can be switched on again.',
      'A technician will call you to help.',
      `For the technician: the router advertises ${prefix}${router?.lifetimeS !== undefined ? ` with a default route for ${router.lifetimeS} s` : ''}; ping -6 ${pings}, ${ipv4}. Check the router's WAN IPv6 (its delegated prefix) and the provider's; as a stopgap, switch router advertisements off on the LAN.`,
    ].join('\n'),
    `ipv6: ${findings.join(', ')}: the router advertises ${prefix} and a default route, so devices prefer IPv6, but ${pings}: a line or provider fault no fix on the box reaches.`,
  );
};

export const lanRules: LanRule[] = [ipConflictRule, ipv6Rule];
