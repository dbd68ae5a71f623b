import type { Advice, AdvisorInput } from '../../contracts/advice';
import type { CheckName, CheckResult } from '../../contracts/diagnostics';
import { customerCanDo, escalate, routerDnsSteps } from './answers';
import type { Latest } from './guard';
import { performanceRules } from './performanceRules';
import { routerSettingsRule } from './routerRules';
import { ipConflictRule, lanRules } from './lanRules';

// The long-tail checks read as a network engineer reads them, once the basic
// checks pass. Causes come before the symptoms they produce: a second DHCP
// server or a lying resolver also makes pages and secure connections fail, and
// a wrong clock makes certificates fail. Only typed values (addresses, numbers,
// ports, finding names) reach the words, never a string a device chose.

type ResultOf<K extends CheckName> = Extract<CheckResult, { check: K }>;
type Rule = (r: Latest, input: AdvisorInput) => Advice | undefined;

const routerOf = (r: Latest) => r.ip_config?.data.gateway ?? r.gateway?.data.address;

/** Every DHCP server that answered, as one line for the technician. */
function serverList(servers: ResultOf<'dhcp_servers'>['data']['servers']): string {
  const answers = (ok: boolean | undefined) => (ok ? 'answers' : 'silent');
  return servers
    .map(
      (s) =>
        `${s.serverId} offers ${s.offeredAddress ?? 'no address'}, gateway ${s.gateway ? `${s.gateway.address} (${answers(s.gateway.answers)})` : 'none'}, DNS ${s.dnsServers.map((d) => `${d.address} (${answers(d.answers)})`).join(', ') || 'none'}`,
    )
    .join('; ');
}

const dhcpServersRule: Rule = (r) => {
  const found = r.dhcp_servers;
  if (!found || found.ok) return undefined;
  const { servers } = found.data;
  const router = routerOf(r);
  if (servers.length > 1) {
    const strangers = servers.filter((s) => s.serverId !== router);
    const first = strangers[0]!;
    return customerCanDo(
      escalate(
        'dhcp',
        `Two devices on your network hand out network addresses. Computers that take theirs from the wrong one (at ${first.serverId}) get settings that lead nowhere, so some computers lose the internet while others work.`,
        [
          'To find and unplug the second device:',
          '1. Look for equipment other than your main router that can hand out addresses: most often a second Wi-Fi router plugged in with a cable into one of its LAN (often yellow) ports, sometimes an old router, a travel router or a mesh unit.',
          `2. It announces itself as ${first.serverId}${first.offeredAddress ? ` and hands out addresses like ${first.offeredAddress}` : ''}. Opening http://${first.serverId} in a browser may show its brand.`,
          '3. Unplug its network cable, then restart the computers that had no internet (or reconnect them to the network).',
          '4. If you need it as a Wi-Fi access point, plug it back in only after switching its DHCP server off ("access point" mode).',
          'A technician will call you to help find it.',
          `For the technician: DHCP servers answering one discover: ${serverList(servers)}. ${router ? `The box's gateway is ${router}. ` : ''}Find the stranger's MAC in the router's ARP table or the switch's MAC table; enable DHCP snooping on the switch if it has it.`,
        ].join('\n'),
        `dhcp_servers heard ${servers.length} DHCP servers on one discover (${strangers.map((s) => s.serverId).join(', ')} beside ${router ?? 'the router'}): a second server hands out its own settings to whoever it answers first.`,
      ),
      'Unplug the second router',
    );
  }
  const [only] = servers;
  if (!only) return undefined;
  const at = router ?? only.serverId;
  if (only.gateway?.answers !== true) {
    return customerCanDo(
      escalate(
        'gateway',
        'Your router hands every device a gateway address that does not answer, so computers that renew their address lose the internet.',
        [
          `1. On a computer in the office, open the router's settings page (usually http://${at}).`,
          `2. In the DHCP (or LAN) settings, check that the gateway (router) handed out is the router's own address, ${at}, then save.`,
          '3. Restart the router: unplug it, wait ten seconds, plug it back in, and wait two minutes.',
          'A technician will call you to do this with you.',
          `For the technician: ${serverList(servers)}.`,
        ].join('\n'),
        `The only DHCP server, ${only.serverId}, hands out a gateway that does not answer${only.gateway ? ` (${only.gateway.address})` : ' (none at all)'}: a router setting, which no fix on the box reaches.`,
      ),
      'Correct the gateway your router hands out',
    );
  }
  const silent = only.dnsServers.filter((d) => !d.answers).map((d) => d.address);
  const resolver = r.dns?.data.reference.ok ? r.dns.data.reference.server : undefined;
  return customerCanDo(
    escalate(
      'dns',
      'The DNS service your router hands out to every device does not answer, so websites do not open on computers that use it.',
      routerDnsSteps(
        at,
        resolver ?? "your provider's DNS server",
        `the router's DHCP hands out ${silent.join(', ') || 'no resolver at all'}, which did not answer (${serverList(servers)}).`,
      ),
      `The only DHCP server, ${only.serverId}, hands out resolvers that do not answer (${silent.join(', ') || 'none offered'}): a router setting, which no fix on the box reaches for the other devices.`,
    ),
    'Give the office a working DNS server',
  );
};

const dnsIntegrityRule: Rule = (r) => {
  const found = r.dns_integrity;
  if (!found || found.ok) return undefined;
  const { findings, configured, reference } = found.data;
  const lies = findings.includes('private-answer') || findings.includes('nxdomain');
  if (!lies && !findings.includes('no-answer') && !findings.includes('slow')) return undefined;
  const server = configured.server ?? 'the configured resolver';
  const resolver =
    reference.outcome === 'answered' && reference.server
      ? reference.server
      : "your provider's DNS server";
  const what = findings.includes('private-answer')
    ? `answers real names with a private address (${configured.addresses.join(', ')})`
    : findings.includes('nxdomain')
      ? 'says real names do not exist'
      : findings.includes('no-answer')
        ? 'does not answer'
        : `answers slowly (${configured.ms ?? '?'} ms)`;
  return customerCanDo(
    escalate(
      'dns',
      lies
        ? 'The address-lookup service (DNS) your router hands out gives wrong answers for real websites, so some websites do not open.'
        : 'The address-lookup service (DNS) your router hands out is not working properly, so websites open slowly or not at all.',
      routerDnsSteps(
        routerOf(r) ?? 'the router',
        resolver,
        `the resolver ${server} ${what} for ${found.data.name}, while ${reference.server ?? 'the reference resolver'} answered ${reference.outcome}; check the router's DNS settings and any filter or parental control on it.`,
      ),
      `dns_integrity: ${findings.join(', ')}. The resolver every office device gets ${what}; the fix is the router's DNS setting.`,
    ),
    'Give the office a working DNS server',
  );
};

/** The router's MTU fix: the largest passing ping payload plus 28 bytes of IP and ICMP headers. */
const IP_AND_ICMP_HEADERS = 28;

const pathMtuRule: Rule = (r) => {
  const found = r.path_mtu;
  if (!found || found.ok) return undefined;
  const { largestPassing, minimumMtu, reportedMtu, target } = found.data;
  if (largestPassing === undefined || largestPassing >= minimumMtu) return undefined;
  return escalate(
    'isp',
    'Large data packets get lost on the way out of your network while small ones pass, so some pages, downloads, VPNs and video calls stall.',
    [
      `1. Please call your internet provider and say: "Packets larger than ${largestPassing} bytes are dropped on my line without an error; please check the line's MTU and the PPPoE settings on your side." Ask for a ticket reference; we will note it on this case.`,
      '2. A technician will call you to adjust your router meanwhile.',
      `For the technician: don't-fragment pings to ${target} pass up to ${largestPassing} bytes and fail above${reportedMtu ? ` (the path reported MTU ${reportedMtu})` : ', with no "fragmentation needed" coming back'}. Set the router's WAN MTU (and its MSS clamping) to ${largestPassing}: the largest passing ping payload, ${largestPassing - IP_AND_ICMP_HEADERS} bytes, + ${IP_AND_ICMP_HEADERS}.`,
    ].join('\n'),
    `path_mtu: the largest packet that passes is ${largestPassing} bytes, below the ${minimumMtu} a line needs, and the errors that would tell senders to shrink are lost: a black hole on the line or its PPPoE settings.`,
  );
};

const clockRule: Rule = (r) => {
  const found = r.clock_offset;
  if (!found || found.ok) return undefined;
  const { offsetMs, maxOffsetMs, server } = found.data;
  if (offsetMs === undefined || Math.abs(offsetMs) <= maxOffsetMs) return undefined;
  const seconds = Math.round(Math.abs(offsetMs) / 1000);
  const direction = offsetMs > 0 ? 'behind' : 'ahead of';
  return escalate(
    'clock',
    `The support box's clock is ${seconds} seconds ${direction} the internet time. Secure connections check certificates against the clock, so a wrong clock makes them fail.`,
    [
      '1. Check the time on one of your office computers. If it is wrong too, set it to update the time automatically; your router or firewall may be blocking the internet time service.',
      "A technician will contact you to set the support box's clock.",
      `For the technician: the box is ${offsetMs} ms off ${server} (allowed ${maxOffsetMs} ms). Check the box's time sync and that outgoing NTP (UDP 123) is allowed.`,
    ].join('\n'),
    `clock_offset: ${offsetMs} ms against ${server}, beyond the ${maxOffsetMs} ms where certificates and logins start failing.`,
  );
};

const portalRule: Rule = (r) => {
  const found = r.captive_portal;
  if (!found || found.ok || found.data.findings.length === 0) return undefined;
  const { findings, status } = found.data;
  return customerCanDo(
    escalate(
      'filtering',
      "Something between your network and the internet answers web requests in the websites' place, such as a login page or a web filter.",
      [
        '1. On an office computer, open http://example.com (with http, not https). If a login or "accept the terms" page appears, as in a hotel, your router or provider has a guest login page switched on.',
        "2. Ask whoever manages your router or firewall to switch the guest login page or web filter off for the office network; if the page is your provider's, call them.",
        'A technician will call you to help.',
        `For the technician: the known plain-HTTP page came back ${status ? `with status ${status} ` : ''}(${findings.join(', ')}). Check the router for a captive portal, web filter or transparent proxy, and the provider for a portal (such as an unpaid-bill notice).`,
      ].join('\n'),
      `captive_portal: ${findings.join(', ')}: a router, firewall or provider in the way rewrites plain web traffic.`,
    ),
    'Switch off the login page or web filter',
  );
};

const tcpTlsRule: Rule = (r) => {
  const found = r.tcp_tls;
  if (!found || found.ok) return undefined;
  const where = (t: { port: number; address?: string }) =>
    `port ${t.port}${t.address ? ` at ${t.address}` : ''}`;
  const blocked = found.data.targets.filter((t) =>
    ['refused', 'timeout', 'unreachable'].includes(t.tcp),
  );
  const forged = found.data.targets.filter((t) => t.tcp === 'open' && t.tls?.ok === false);
  if (forged.length > 0) {
    const problems = [...new Set(forged.map((t) => t.tls?.problem ?? 'handshake-failed'))];
    return customerCanDo(
      escalate(
        'filtering',
        'Secure (HTTPS) connections are answered by a device in between with a certificate the websites did not issue, so browsers warn that the connection is not secure.',
        [
          '1. Do not click through certificate warnings meanwhile.',
          '2. Ask whoever manages your router or firewall whether "HTTPS inspection", "SSL filtering" or a web filter is switched on: switch it off, or install its certificate on every office computer.',
          'A technician will call you to help.',
          `For the technician: TLS to ${forged.map(where).join(', ')} failed the certificate check (${problems.join(', ')}) while TCP connected; the box's clock was ${r.clock_offset?.ok ? 'right' : 'not measured'}.`,
        ].join('\n'),
        `tcp_tls: the TCP connection opens but the certificate fails (${problems.join(', ')}): a router or firewall intercepts secure connections.`,
      ),
      'Switch off HTTPS inspection',
    );
  }
  if (blocked.length === 0) return undefined;
  const ports = [...new Set(blocked.map((t) => t.port))].join(', ');
  return customerCanDo(
    escalate(
      'filtering',
      `Connections out of your network on port ${ports} are blocked while the web works, so services that use it (such as a VPN, email or secure DNS) fail.`,
      [
        `1. If you use a service on port ${ports}, ask whoever manages your router or firewall to allow outgoing connections to it; if nobody changed the router, ask your provider whether they block it.`,
        'A technician will call you to help.',
        `For the technician: TCP to ${blocked.map((t) => `${where(t)} (${t.tcp})`).join(', ')}; other connections work. Check the router's outgoing firewall rules and the provider's port blocking.`,
      ].join('\n'),
      `tcp_tls: ${blocked.map((t) => `${where(t)} ${t.tcp}`).join(', ')} while the web answers: a router or firewall filters it.`,
    ),
    'Allow the blocked connections',
  );
};

const rules: Rule[] = [
  // Two devices on one address break everything that goes through it: the cause first.
  ipConflictRule,
  // The router's own fix comes before its steps by hand.
  routerSettingsRule,
  dhcpServersRule,
  dnsIntegrityRule,
  pathMtuRule,
  clockRule,
  portalRule,
  tcpTlsRule,
  ...performanceRules,
  ...lanRules,
];

/**
 * The first long-tail fault the results show, as a hand-over with steps; undefined when none
 * does. The customer's words only tell a rule which device they mean; they are never quoted.
 */
export function longTailAdvice(r: Latest, input: AdvisorInput): Advice | undefined {
  for (const rule of rules) {
    const advice = rule(r, input);
    if (advice) return advice;
  }
  return undefined;
}
