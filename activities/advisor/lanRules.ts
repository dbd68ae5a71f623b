import type { Advice, AdvisorInput } from '../../contracts/advice';
import {
  checkThresholds,
  lanFixedKinds,
  type CheckName,
  type CheckResult,
} from '../../contracts/diagnostics';
import { escalate } from './answers';
import type { Latest } from './guard';

// The office LAN's own faults, read as a network engineer reads them: two
// devices on one address, a second device answering for the router, IPv6 that
// the router offers but the line drops, a device the customer names that the
// network no longer reaches, and a weak Wi-Fi link. None of them has a fix in
// the catalog: each hands over with steps for the customer and a note for the
// technician. Only typed values (addresses, numbers, MAC makers' prefixes,
// enums) reach the words, never a string a device chose. The customer's words
// only say which device they mean: they can turn an answer into a hand-over
// to a person, never into a fix or "healthy", and are never quoted.

type ResultOf<K extends CheckName> = Extract<CheckResult, { check: K }>;
/** A rule sees the latest results and the customer's own words (only ever matched, never quoted). */
export type LanRule = (r: Latest, input: Pick<AdvisorInput, 'description'>) => Advice | undefined;

type ArpAnswer = ResultOf<'ip_conflict'>['data']['duplicates'][number];
const macList = (answers: ArpAnswer[]) =>
  answers.map((a) => `${a.mac} (maker prefix ${a.oui}, ${a.replies} replies)`).join(', ');

export const ipConflictRule: LanRule = (r) => {
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
      `For the technician: ${evidence}. Find the stranger's port in the switch's MAC table (its maker prefix helps). A Wi-Fi extender in repeater mode also answers for the router with its own MAC: rule that out first${several ? '' : ', and a router replaced in the last minutes'}. If nobody owns the device, treat it as ARP spoofing: unplug it and check the office's computers.`,
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

type LanDevice = ResultOf<'lan_inventory'>['data']['devices'][number];
type NamedKind = 'printer' | 'file-server' | 'camera' | 'phone';

/** The customer's words for devices the network serves; matched only, never quoted. */
export const deviceWords: Record<NamedKind, RegExp> = {
  printer: /\bprint(s|er|ers|ing)?\b|\bscan(s|ner|ners|ning)?\b|\bcopiers?\b/i,
  'file-server':
    /\bnas\b|\bfile\s*servers?\b|\bshared\s+(drives?|folders?)|\bnetwork\s+(drives?|folders?|storage)/i,
  camera: /\b(security\s+)?cameras?\b|\bcctv\b|\b[nd]vr\b/i,
  phone: /\b(desk|voip|sip|office|ip)\s*phones?\b|\bdial\s*tone\b|\bvoip\b/i,
};

const names: Record<LanDevice['kind'], string> = {
  router: 'router',
  printer: 'printer',
  'file-server': 'file server (NAS)',
  camera: 'camera',
  phone: 'desk phone',
  media: 'media device',
  unknown: 'device',
};

function namedKind(description: string | undefined): NamedKind | undefined {
  if (!description) return undefined;
  return (Object.keys(deviceWords) as NamedKind[]).find((kind) =>
    deviceWords[kind].test(description),
  );
}

const deviceNote = (d: LanDevice) =>
  `${names[d.kind]} at ${d.address}${d.oui ? ` (maker prefix ${d.oui}${d.mac ? `, ${d.mac}` : ''})` : ''}${d.services.length ? `, announcing ${d.services.join(', ')}` : ''}${d.servicePort ? `, port ${d.servicePort.port} ${d.servicePort.open ? 'open' : 'not answering'}` : ''}${d.lastSeen ? `, last seen ${d.lastSeen}` : ''}`;

function missingAdvice(gone: LanDevice[], subnet: string | undefined): Advice {
  const [first] = gone;
  const name = names[first!.kind];
  return escalate(
    'lan-device',
    `Your ${name} (last at ${first!.address}) no longer answers on the network, though the support box saw it before. Computers cannot reach it until it is back.`,
    [
      `1. Check that the ${name} is switched on and shows no error on its display or lights.`,
      `2. If it is connected by cable, check that both ends are firmly plugged in and that the light next to its network socket is lit; try another socket on the switch or router. If it uses Wi-Fi, check on its own menu that it is still connected to the office network.`,
      `3. Switch it off, wait ten seconds and switch it on again; then try once more from a computer. Its last address was ${first!.address}: if its menu shows another one now, the computers may need it set again.`,
      'A technician will call you if it stays unreachable.',
      `For the technician: an ARP sweep of ${subnet ?? 'the subnet'} found no answer from ${gone.slice(0, 3).map(deviceNote).join('; ')}${gone.length > 3 ? ` and ${gone.length - 3} more` : ''}. The box's own link, gateway and internet checks pass.`,
    ].join('\n'),
    `lan_inventory: ${gone.length} device(s) an earlier inventory saw no longer answer ARP (${gone
      .slice(0, 8)
      .map((d) => `${d.kind} ${d.address}`)
      .join(', ')}): the device or its own cable or Wi-Fi, which no fix on the box reaches.`,
  );
}

const lanDeviceRule: LanRule = (r, { description }) => {
  const found = r.lan_inventory;
  if (!found) return undefined;
  const { devices, subnet } = found.data;
  const named = namedKind(description);
  const gone = devices.filter(
    (d) =>
      !d.answers && d.seenBefore && (named ? d.kind === named : lanFixedKinds.includes(d.kind)),
  );
  if (gone.length > 0) return missingAdvice(gone, subnet);
  if (!named) return undefined;
  const name = names[named];
  const present = devices.filter((d) => d.answers && d.kind === named);
  if (present.length === 0) {
    return escalate(
      'lan-device',
      `The support box does not see a ${name} on your network: it does not announce itself, and the box never saw one there.`,
      [
        `1. Check that the ${name} is switched on and connected to the office network (by cable, or on its own menu to the office Wi-Fi, not a guest network).`,
        `2. If it is connected to one computer by USB rather than to the network, the problem is on that computer: restart it and the ${name}.`,
        'A technician will call you to look at it with you.',
        `For the technician: an ARP sweep of ${subnet ?? 'the subnet'} and mDNS browsing found ${found.data.answering} answering devices and none announcing itself as a ${name}; the box's network checks pass. Ask for its address (its menu or a configuration page) and whether it is on another network or VLAN.`,
      ].join('\n'),
      `The customer reports a ${name} problem; lan_inventory finds no ${name} on the LAN, now or before, so the network cannot rule the device out: a person looks at it.`,
    );
  }
  // A device whose announced service refused the connect is not reached; one without a port to try is.
  const reached = present.filter((d) => d.servicePort?.open !== false);
  const device = reached[0] ?? present[0]!;
  if (reached.length > 0) {
    return escalate(
      'lan-device',
      `Your ${name} is on the network and answers, so the network is not what stops it: the problem is most likely on the computers or on the ${name} itself.`,
      [
        `1. Look at the ${name}'s display or lights for an error (paper, toner, a jam, a full disk, an update running) and clear it.`,
        `2. On a computer that cannot use it, remove stuck jobs or reconnect to it, then restart the computer.`,
        `3. Switch the ${name} off and on again.`,
        'A technician will call you to check the computers with you.',
        `For the technician: the network reaches the ${deviceNote(device)}. Check the computers' queue, driver and the address they use for it (a queue pointing at an old address, or a WSD port), and the device's own status page at http://${device.address}.`,
      ].join('\n'),
      `The customer reports a ${name} problem; lan_inventory finds the ${name} answering ARP${device.servicePort ? ` and its service port ${device.servicePort.port} open` : ''}: the network reaches it, so a person checks the computers and the device (nothing in the catalog acts on them).`,
    );
  }
  return escalate(
    'lan-device',
    `Your ${name} answers on the network, but the service it offers (port ${device.servicePort!.port}) does not accept connections, so computers cannot use it.`,
    [
      `1. Switch the ${name} off, wait ten seconds and switch it on again; look for an error on its display.`,
      '2. Try it again from a computer.',
      'A technician will call you if it still does not work.',
      `For the technician: the ${deviceNote(device)}. It answers ARP but not on its service port: check its network settings and firmware, or whether something else took its address.`,
    ].join('\n'),
    `The customer reports a ${name} problem; lan_inventory finds it answering ARP but not on its service port: the device itself, which no fix on the box reaches.`,
  );
};

/** The customer's words for the office's Wi-Fi; matched only, never quoted. */
export const wifiWords = /\bwi-?fi\b|\bwireless\b|\bwlan\b|\bsignal\b|\baccess\s+point/i;

const wifiRule: LanRule = (r, { description }) => {
  const found = r.wifi;
  if (!found) return undefined;
  const d = found.data;
  const { wifiWeakSignalDbm, wifiLowBitrateMbps, wifiBusyPct } = checkThresholds;
  if (!found.ok && d.findings.some((f) => f !== 'not-connected')) {
    const weak = d.findings.includes('weak-signal') || d.findings.includes('low-bitrate');
    const busy = d.findings.includes('busy-channel');
    const measured = [
      d.signalDbm !== undefined
        ? `signal ${d.signalDbm} dBm (weak below ${wifiWeakSignalDbm})`
        : undefined,
      d.noiseDbm !== undefined ? `noise ${d.noiseDbm} dBm` : undefined,
      d.frequencyMhz !== undefined
        ? `${d.frequencyMhz} MHz${d.channel !== undefined ? ` (channel ${d.channel})` : ''}`
        : undefined,
      d.txBitrateMbps !== undefined
        ? `tx ${d.txBitrateMbps} Mbit/s (slow below ${wifiLowBitrateMbps})`
        : undefined,
      d.channelBusyPct !== undefined
        ? `channel busy ${d.channelBusyPct}% (crowded above ${wifiBusyPct})`
        : undefined,
    ].filter(Boolean);
    const steps = [
      ...(weak
        ? [
            '1. The Wi-Fi signal where the support box stands is weak. Move the box, or the Wi-Fi access point, closer together, with fewer walls, metal cabinets or appliances in between; computers far from the access point suffer the same.',
            '2. Where you can, connect the support box (and fixed computers) with a network cable instead of Wi-Fi.',
          ]
        : []),
      ...(busy
        ? [
            `${weak ? '3' : '1'}. The Wi-Fi channel is crowded by neighbouring networks. In the access point's (or router's) Wi-Fi settings, choose another channel or "auto", and use the 5 GHz band where your devices support it.`,
          ]
        : []),
      'A technician will call you to help.',
      `For the technician: the box's Wi-Fi link on ${d.interface}: ${measured.join(', ')}. Consider a survey of the premises, an access point nearer the users, or cabling the fixed devices.`,
    ];
    return escalate(
      'wifi',
      weak
        ? 'The Wi-Fi signal is weak where the support box stands, so the connection is slow and drops out; computers in the same area will see the same.'
        : "The office's Wi-Fi channel is crowded by neighbouring networks, so Wi-Fi is slow even with a good signal.",
      steps.join('\n'),
      `wifi: ${d.findings.join(', ')} (${measured.join(', ')}): the radio link, which no fix on the box reaches.`,
    );
  }
  // A wired box cannot measure the Wi-Fi the customer names: a person looks at it.
  if (!d.wireless && description && wifiWords.test(description)) {
    return escalate(
      'wifi',
      'Your internet connection and network work, but the support box is connected by cable, so it cannot measure the Wi-Fi that you describe.',
      [
        '1. Note where in the office the Wi-Fi is slow or drops, and whether it happens for every device or only some.',
        '2. Restart the Wi-Fi access point (or the router, if it makes the Wi-Fi): unplug it, wait ten seconds, plug it back in.',
        '3. Move closer to the access point and see whether it gets better; if it does, the signal is too weak where you usually work.',
        'A technician will call you to look at the Wi-Fi with you.',
        "For the technician: the box is wired and its checks pass; the Wi-Fi itself was not measured (signal, channel, the access point's load).",
      ].join('\n'),
      'The customer reports a Wi-Fi problem; the box is wired (wifi: wireless false) and its network checks pass, so nothing measured rules the Wi-Fi out: a person looks at it.',
    );
  }
  return undefined;
};

/** The LAN's rules after the others; the address conflict, a cause of many symptoms, comes first (longTail.ts). */
export const lanRules: LanRule[] = [ipv6Rule, lanDeviceRule, wifiRule];
