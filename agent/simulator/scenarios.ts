import type { IssueCategory } from '../../contracts/case';
import type { ActionId } from '../../contracts/remediation';

// The simulated Pi's scenarios, as data: what is physically wrong on the
// customer's network, and how a support case about it should end. A case ends
// resolved only when the fix repaired what every office device goes through
// (contracts/fixes.ts `repairs`): a fix of the box's own settings for a fault of
// the office (dns-failure) keeps the box working, and the case still escalates.

/** Physical faults the network model knows; absent means working. */
export interface Fault {
  /** No carrier on eth0: cable out or switch port dead. */
  cableUnplugged?: boolean;
  /** The router's DHCP pool is full: it answers but offers nothing. */
  dhcpPoolFull?: boolean;
  /** The router is hung: no ARP, no ping, no DHCP, no DNS. */
  routerHung?: boolean;
  /** The router's DNS forwarder does not answer (a reboot does not change its settings). */
  routerDnsDown?: boolean;
  /** The modem is hung: its management address is silent and nothing passes through it. */
  modemHung?: boolean;
  /** The ISP's side is down: the modem has no upstream lock. */
  upstreamDown?: boolean;
  /** Line quality: loss and jitter on every internet path. */
  lineLossPct?: number;
  lineJitterMs?: number;
  /** A second DHCP server on the LAN (a consumer router plugged in) hands out a dead gateway and DNS. */
  rogueDhcpServer?: boolean;
  /** The router's DNS lies about public names: private addresses, or "no such name". */
  dnsHijack?: 'private' | 'nxdomain';
  /** The line's MTU, with the "fragmentation needed" errors dropped on the way. */
  pathMtu?: number;
  /** The router sends every plain HTTP request to its own login page. */
  captivePortal?: boolean;
  /** The router answers HTTPS for every site itself, with a certificate from its own CA. */
  tlsIntercepted?: boolean;
  /** TCP ports the router rejects on the way out. */
  blockedPorts?: number[];
  /** How far the box's clock is behind the reference (negative: ahead). */
  clockOffsetS?: number;
  /** The line's rate each way (Mbit/s); a working line gives 250 down and 50 up. */
  lineDownMbps?: number;
  lineUpMbps?: number;
  /** How much a full queue on the line adds to a round trip under load (bufferbloat); 15 ms when absent. */
  lineQueueMs?: number;
  /** A fixed delay the line adds to every round trip (satellite, congested peering). */
  lineDelayMs?: number;
  /** How long the router's upstream resolver takes to answer. */
  routerDnsDelayMs?: number;
  /** The box's own Ethernet link negotiated this speed (Mbit/s) instead of 1000. */
  lanLinkMbps?: number;
  /** The router's DHCP hands out a resolver nobody runs; every device (the box too) renewed. */
  dhcpDnsDead?: boolean;
  /** The router's DHCP hands out a gateway that is not the router; every device renewed. */
  dhcpGatewayWrong?: boolean;
  /** The router's WAN interface lost its address (a hung ISP DHCP or PPPoE session). */
  routerWanDown?: boolean;
  /** The box's own lease is from before the router's DHCP setting changed. */
  staleLease?: boolean;
  /** Another device holds the box's own address (set by hand to an address in the router's pool). */
  addressConflict?: boolean;
  /** A second device answers ARP for the router's address (misconfigured, or spoofing). */
  gatewayImpostor?: boolean;
  /** The router advertises IPv6, but the line drops it (after a change of provider or modem). */
  ipv6Blackhole?: boolean;
  /** The office's network printer, which the box saw yesterday, has lost its power. */
  printerOffline?: boolean;
  /** The box is on Wi-Fi (wlan0) with this link; absent: the box is wired. */
  wifi?: { signalDbm: number; txBitrateMbps: number; channelBusyPct: number };
}

export interface ExpectedEnd {
  expectedStatus: 'resolved' | 'escalated';
  /**
   * The catalog action the case carries out, when one is: it repairs the fault
   * when the case ends resolved; with 'escalated' it repaired only the box.
   */
  expectedAction?: ActionId;
  expectedCategory: IssueCategory;
}

export interface Scenario extends ExpectedEnd {
  description: string;
  /**
   * What the customer reports when opening the case: the long-tail faults pass
   * every basic check, and only these words make the advisor look further.
   */
  customerSays?: string;
  fault: Fault;
  /** The box has a login for the router's OpenWrt API (router_api, the router_* fixes). */
  routerApi?: boolean;
}

const scenarioData = {
  healthy: {
    description: 'Nothing is wrong: every check passes.',
    fault: {},
    expectedStatus: 'resolved',
    expectedCategory: 'none',
  },
  'dns-failure': {
    // switch_dns_fallback gets the box itself onto the public resolver; the router
    // still hands its broken one to every office computer, so the case escalates
    // with the router's steps.
    description: "The router's DNS does not answer; a public resolver and pings by address work.",
    fault: { routerDnsDown: true },
    expectedStatus: 'escalated',
    expectedAction: 'switch_dns_fallback',
    expectedCategory: 'dns',
  },
  'dhcp-exhausted': {
    description: "The router's DHCP pool is full: the Pi is stuck on a self-assigned address.",
    fault: { dhcpPoolFull: true },
    expectedStatus: 'escalated',
    expectedCategory: 'dhcp',
  },
  'gateway-unreachable': {
    description: 'The router is hung: the gateway answers neither ARP nor ping.',
    fault: { routerHung: true },
    expectedStatus: 'resolved',
    expectedAction: 'power_cycle_router',
    expectedCategory: 'gateway',
  },
  'modem-hung': {
    description: 'The modem is hung: the router is fine but nothing gets past the modem.',
    fault: { modemHung: true },
    expectedStatus: 'resolved',
    expectedAction: 'power_cycle_modem',
    expectedCategory: 'modem',
  },
  'isp-outage': {
    description: "The ISP's line is down: the modem answers but has no upstream lock.",
    fault: { upstreamDown: true },
    expectedStatus: 'escalated',
    expectedCategory: 'isp',
  },
  'packet-loss': {
    description: 'A poor line: about 25% loss and high jitter to the internet, none on the LAN.',
    fault: { lineLossPct: 25, lineJitterMs: 85 },
    expectedStatus: 'escalated',
    expectedCategory: 'packet-loss',
  },
  'link-down': {
    description: 'No carrier on eth0: the cable or the switch port.',
    fault: { cableUnplugged: true },
    expectedStatus: 'escalated',
    expectedCategory: 'link',
  },
  'rogue-dhcp': {
    description:
      'A consumer router plugged into the office switch hands out a gateway and DNS where nothing answers.',
    customerSays: "Some computers can't get online since this morning; others work fine.",
    fault: { rogueDhcpServer: true },
    expectedStatus: 'escalated',
    expectedCategory: 'dhcp',
  },
  // The box's own resolver check still gets an answer, so the fallback's rule
  // (the configured resolver fails) does not hold: the router's steps come at once.
  'dns-hijack': {
    description: "The router's DNS answers public names with a private address.",
    customerSays: "Some websites don't load: the browser waits and gives up.",
    fault: { dnsHijack: 'private' },
    expectedStatus: 'escalated',
    expectedCategory: 'dns',
  },
  'dns-nxdomain': {
    description: "The router's DNS says public names do not exist.",
    customerSays: "Some websites don't load: the browser says the site can't be found.",
    fault: { dnsHijack: 'nxdomain' },
    expectedStatus: 'escalated',
    expectedCategory: 'dns',
  },
  'mtu-blackhole': {
    description: "The line's MTU is 1300 and the 'fragmentation needed' errors are dropped.",
    customerSays: 'Some websites never finish loading and the VPN hangs after connecting.',
    fault: { pathMtu: 1300 },
    expectedStatus: 'escalated',
    expectedCategory: 'isp',
  },
  'captive-portal': {
    description: 'The router sends every plain HTTP request to its own guest login page.',
    customerSays: 'Every computer shows a login page asking for a guest code.',
    fault: { captivePortal: true },
    expectedStatus: 'escalated',
    expectedCategory: 'filtering',
  },
  'port-blocked': {
    description: 'The router rejects outgoing TCP to port 853 (DNS over TLS).',
    customerSays: "Our VPN won't connect, though websites work.",
    fault: { blockedPorts: [853] },
    expectedStatus: 'escalated',
    expectedCategory: 'filtering',
  },
  'tls-intercept': {
    description:
      'The router answers HTTPS for every site itself, with a certificate from its own CA.',
    customerSays: 'Every secure website shows a certificate warning.',
    fault: { tlsIntercepted: true },
    expectedStatus: 'escalated',
    expectedCategory: 'filtering',
  },
  'clock-skew': {
    description: "The box's clock is ten minutes behind.",
    customerSays: 'The support box reports certificate errors.',
    fault: { clockOffsetS: 600 },
    expectedStatus: 'escalated',
    expectedCategory: 'clock',
  },
  // The line's performance (issue #23): every basic check passes; the customer's
  // words ask for the throughput and latency_under_load measurements.
  'slow-line': {
    description: 'The line delivers 2 Mbit/s down and 0.5 up, with a sane queue.',
    customerSays: 'The internet is really slow today and video calls keep freezing.',
    fault: { lineDownMbps: 2, lineUpMbps: 0.5 },
    expectedStatus: 'escalated',
    expectedCategory: 'performance',
  },
  bufferbloat: {
    description:
      'A 40/8 Mbit/s line whose modem queues 800 ms under load: calls break up during uploads.',
    customerSays: 'Video calls get choppy and laggy whenever someone sends a big file.',
    fault: { lineDownMbps: 40, lineUpMbps: 8, lineQueueMs: 800 },
    expectedStatus: 'escalated',
    expectedCategory: 'performance',
  },
  'high-latency': {
    // The basic round already shows a 400 ms round trip: no words needed to look further.
    description: 'The line adds 400 ms to every round trip (satellite, congested peering).',
    fault: { lineDelayMs: 400 },
    expectedStatus: 'escalated',
    expectedCategory: 'performance',
  },
  'dns-slow': {
    description:
      "The router's upstream resolver answers after 1.5 s; the reference answers at once.",
    customerSays: 'Everything is slow to start loading, then pages come quickly.',
    fault: { routerDnsDelayMs: 1500 },
    expectedStatus: 'escalated',
    expectedCategory: 'dns',
  },
  'lan-10mbit': {
    description: "The box's own Ethernet link negotiated 10 Mbit/s (a bad cable or port).",
    customerSays: 'The internet feels slow.',
    fault: { lanLinkMbps: 10 },
    expectedStatus: 'escalated',
    expectedCategory: 'link',
  },
  // Nothing wrong with the line or the router: the customer's laptop or its Wi-Fi is slow.
  'slow-device': {
    description:
      'The network is fine; one laptop is slow on the Wi-Fi, which the wired box cannot see.',
    customerSays: 'My laptop is so slow on the Wi-Fi in the back office.',
    fault: {},
    expectedStatus: 'escalated',
    expectedCategory: 'wifi',
  },
  'ip-conflict': {
    description:
      "A printer someone set by hand to a fixed address inside the router's pool holds the box's own address.",
    customerSays: 'Windows keeps saying there is an IP address conflict on the network.',
    fault: { addressConflict: true },
    expectedStatus: 'escalated',
    expectedCategory: 'ip-conflict',
  },
  'gateway-impostor': {
    description:
      "A second device on the LAN answers ARP for the router's address: traffic to the internet goes to whichever answered last.",
    customerSays: 'The internet cuts out for a few seconds every now and then, on every computer.',
    fault: { gatewayImpostor: true },
    expectedStatus: 'escalated',
    expectedCategory: 'ip-conflict',
  },
  'ipv6-blackhole': {
    description:
      'The router advertises IPv6, but the line drops it since a change of provider: apps that prefer IPv6 stall.',
    customerSays: 'Since we changed provider, some websites and apps take ages to start loading.',
    fault: { ipv6Blackhole: true },
    expectedStatus: 'escalated',
    expectedCategory: 'ipv6',
  },
  'printer-offline': {
    description:
      'The network printer the box saw yesterday has lost its power: it no longer answers ARP or announces itself.',
    customerSays: "The printer doesn't print.",
    fault: { printerOffline: true },
    expectedStatus: 'escalated',
    expectedCategory: 'lan-device',
  },
  // The network reaches the printer (ARP, its print port): what is left is the computers'
  // print queue or driver, or the printer itself; never "healthy", never a network fix.
  'printer-not-printing': {
    description:
      'Nothing is wrong with the network: the printer answers on its print port, but nobody can print.',
    customerSays: 'Nobody in the office can print since this morning.',
    fault: {},
    expectedStatus: 'escalated',
    expectedCategory: 'lan-device',
  },
  // The router's own settings and uplink, fixed through its API when the box has a login
  // for it; without one, the customer gets the router's steps.
  'router-dhcp-dns-dead': {
    description:
      "The router's DHCP hands out a resolver nobody runs; the box has a login for the router's API.",
    routerApi: true,
    fault: { dhcpDnsDead: true },
    expectedStatus: 'resolved',
    expectedAction: 'router_set_dhcp_dns',
    expectedCategory: 'dns',
  },
  'router-dhcp-dns-dead-no-api': {
    description: "The router's DHCP hands out a resolver nobody runs; no router API login.",
    fault: { dhcpDnsDead: true },
    expectedStatus: 'escalated',
    expectedAction: 'switch_dns_fallback',
    expectedCategory: 'dns',
  },
  'router-dhcp-gateway-wrong': {
    description:
      "The router's DHCP hands out an old router's address as the gateway; the box has a login for the router's API.",
    routerApi: true,
    fault: { dhcpGatewayWrong: true },
    expectedStatus: 'resolved',
    expectedAction: 'router_set_dhcp_gateway',
    expectedCategory: 'gateway',
  },
  'router-dhcp-gateway-wrong-no-api': {
    description: "The router's DHCP hands out an old router's address as the gateway; no login.",
    fault: { dhcpGatewayWrong: true },
    expectedStatus: 'escalated',
    expectedCategory: 'gateway',
  },
  'router-dhcp-dns-dead-old-lease': {
    description:
      "The router's DHCP hands out a resolver nobody runs; the box still holds its lease from before, and only the customer's words point at it.",
    customerSays: "Some computers can't get online since this morning; others work fine.",
    routerApi: true,
    fault: { dhcpDnsDead: true, staleLease: true },
    expectedStatus: 'resolved',
    expectedAction: 'router_set_dhcp_dns',
    expectedCategory: 'dns',
  },
  'router-dhcp-gateway-wrong-old-lease': {
    description:
      "The router's DHCP hands out an old router's address as the gateway; the box still holds its lease from before.",
    customerSays: "Some laptops can't get online since the router was updated.",
    routerApi: true,
    fault: { dhcpGatewayWrong: true, staleLease: true },
    expectedStatus: 'resolved',
    expectedAction: 'router_set_dhcp_gateway',
    expectedCategory: 'gateway',
  },
  // The router's forwarder is broken: with a login, every device is given a working resolver.
  'router-dns-forwarder-down': {
    description:
      "The router's DNS forwarder does not answer; the box has a login for the router's API.",
    routerApi: true,
    fault: { routerDnsDown: true },
    expectedStatus: 'resolved',
    expectedAction: 'router_set_dhcp_dns',
    expectedCategory: 'dns',
  },
  'router-wan-down': {
    description:
      "The router's WAN interface lost its address; the router and its API answer on the LAN.",
    routerApi: true,
    fault: { routerWanDown: true },
    expectedStatus: 'resolved',
    expectedAction: 'router_restart_wan',
    expectedCategory: 'isp',
  },
  'wifi-weak-signal': {
    description:
      'The box is on Wi-Fi far from the access point: -81 dBm, and the link has fallen to 6.5 Mbit/s.',
    customerSays: 'The Wi-Fi is slow and keeps dropping.',
    fault: { wifi: { signalDbm: -81, txBitrateMbps: 6.5, channelBusyPct: 24 } },
    expectedStatus: 'escalated',
    expectedCategory: 'wifi',
  },
  'wifi-crowded-channel': {
    description:
      "A good signal, but the access point's channel is busy 86 % of the time with the neighbours' networks.",
    customerSays: 'The wireless gets very slow every afternoon.',
    fault: { wifi: { signalDbm: -55, txBitrateMbps: 144.4, channelBusyPct: 86 } },
    expectedStatus: 'escalated',
    expectedCategory: 'wifi',
  },
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof scenarioData;
export const scenarios: Readonly<Record<ScenarioName, Scenario>> = scenarioData;
export const scenarioNames = Object.keys(scenarios) as ScenarioName[];

/** Looks a scenario up by name; an unknown name is an error that lists the valid ones. */
export function scenarioByName(name: string): Scenario {
  if (!Object.hasOwn(scenarios, name)) {
    throw new Error(`Unknown scenario "${name}". Valid scenarios: ${scenarioNames.join(', ')}.`);
  }
  return scenarios[name as ScenarioName];
}

/**
 * The faults the portal's demo panel offers (demo mode only), in the words a customer
 * would use. Each fails the box's own basic checks, so the box notices it and opens a
 * case by itself; `healthy` puts things right again.
 */
export const demoScenarios: readonly { name: ScenarioName; title: string }[] = [
  { name: 'modem-hung', title: 'Modem hung' },
  { name: 'gateway-unreachable', title: 'Router hung' },
  { name: 'router-wan-down', title: 'Router lost its internet connection' },
  { name: 'dns-failure', title: 'DNS server stopped answering' },
  { name: 'isp-outage', title: 'Internet provider outage' },
  { name: 'packet-loss', title: 'Poor line: many packets lost' },
  { name: 'link-down', title: 'Network cable unplugged' },
  { name: 'dhcp-exhausted', title: 'Router out of addresses for new devices' },
  { name: 'healthy', title: 'Everything working again' },
];
