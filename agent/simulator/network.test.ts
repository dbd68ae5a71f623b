import { baselineChecks, checkNames, longTailChecks } from '../../contracts/checks';
import { CheckResult, type CheckName } from '../../contracts/diagnostics';
import { parseRemediation, type ActionId } from '../../contracts/remediation';
import { SimulatedNetwork } from './network';
import { scenarioNames, scenarios, type Fault, type ScenarioName } from './scenarios';

const fixParams: Partial<Record<ActionId, Record<string, unknown>>> = {
  switch_dns_fallback: { resolver: '203.0.113.53' },
  power_cycle_router: { offSeconds: 10 },
  power_cycle_modem: { offSeconds: 10 },
  router_set_dhcp_dns: { servers: ['203.0.113.53'] },
  router_set_dhcp_gateway: { gateway: '192.168.1.1' },
  router_restart_wan: {},
};

/** Which baseline checks each scenario's fault makes fail. */
const failingBaseline: Record<ScenarioName, CheckName[]> = {
  healthy: [],
  'dns-failure': ['dns'],
  'dhcp-exhausted': ['ip_config', 'gateway', 'dns', 'internet'],
  'gateway-unreachable': ['gateway', 'dns', 'internet'],
  'modem-hung': ['dns', 'internet'],
  'isp-outage': ['dns', 'internet'],
  'packet-loss': ['internet'],
  'link-down': ['link', 'ip_config', 'gateway', 'dns', 'internet'],
  // The long-tail faults pass every basic check: only their own checks show them.
  'rogue-dhcp': [],
  'dns-hijack': [],
  'dns-nxdomain': [],
  'mtu-blackhole': [],
  'captive-portal': [],
  'port-blocked': [],
  'tls-intercept': [],
  'clock-skew': [],
  // The line's performance: the basic round passes (high-latency's round trips are in its data).
  'slow-line': [],
  bufferbloat: [],
  'high-latency': [],
  'dns-slow': [],
  'lan-10mbit': [],
  'slow-device': [],
  // Every device renewed and got the router's broken setting, the box too.
  'router-dhcp-dns-dead': ['dns'],
  'router-dhcp-dns-dead-no-api': ['dns'],
  'router-dhcp-gateway-wrong': ['gateway', 'internet'],
  'router-dhcp-gateway-wrong-no-api': ['gateway', 'internet'],
  'router-dhcp-dns-dead-old-lease': [],
  'router-dhcp-gateway-wrong-old-lease': [],
  'router-dns-forwarder-down': ['dns'],
  'router-wan-down': ['dns', 'internet'],
  'ip-conflict': [],
  'gateway-impostor': [],
  'ipv6-blackhole': [],
  'printer-offline': [],
  'printer-not-printing': [],
  'wifi-weak-signal': [],
  'wifi-crowded-channel': [],
};

function failing(network: SimulatedNetwork, checks: readonly CheckName[] = baselineChecks) {
  return checks
    .map((name) => network.runCheck(name))
    .filter((r) => !r.ok)
    .map((r) => r.check);
}

function check<K extends CheckName>(network: SimulatedNetwork, name: K) {
  return network.runCheck(name) as Extract<CheckResult, { check: K }>;
}

describe('scenarios', () => {
  it('are the eight agreed ones and the long tail, grouped by family', () => {
    expect(scenarioNames).toEqual([
      'healthy',
      'dns-failure',
      'dhcp-exhausted',
      'gateway-unreachable',
      'modem-hung',
      'isp-outage',
      'packet-loss',
      'link-down',
      'rogue-dhcp',
      'dns-hijack',
      'dns-nxdomain',
      'mtu-blackhole',
      'captive-portal',
      'port-blocked',
      'tls-intercept',
      'clock-skew',
      'slow-line',
      'bufferbloat',
      'high-latency',
      'dns-slow',
      'lan-10mbit',
      'slow-device',
      'ip-conflict',
      'gateway-impostor',
      'ipv6-blackhole',
      'printer-offline',
      'printer-not-printing',
      'router-dhcp-dns-dead',
      'router-dhcp-dns-dead-no-api',
      'router-dhcp-gateway-wrong',
      'router-dhcp-gateway-wrong-no-api',
      'router-dhcp-dns-dead-old-lease',
      'router-dhcp-gateway-wrong-old-lease',
      'router-dns-forwarder-down',
      'router-wan-down',
      'wifi-weak-signal',
      'wifi-crowded-channel',
    ]);
  });

  it('name the valid scenarios when given an unknown one', () => {
    expect(() => new SimulatedNetwork('flood')).toThrow(
      /Unknown scenario "flood"\. Valid scenarios: healthy, dns-failure, .*clock-skew/,
    );
  });
});

describe.each(scenarioNames)('the %s network', (name) => {
  it('answers every check within the contract, with plausible durations', () => {
    const network = new SimulatedNetwork(name);
    for (const check of checkNames) {
      const result = CheckResult.parse(network.runCheck(check));
      expect(result.check).toBe(check);
      // The speed tests take their seconds; every check stays within the box's 15 s limit.
      const slow = result.check === 'throughput' || result.check === 'latency_under_load';
      expect(result.durationMs).toBeLessThan(slow ? 15_000 : 5000);
    }
  });

  it('shows its fault in the baseline checks', () => {
    expect(failing(new SimulatedNetwork(name))).toEqual(failingBaseline[name]);
  });

  it('uses only LAN, modem and documentation addresses', () => {
    const network = new SimulatedNetwork(name);
    const text = JSON.stringify(checkNames.map((check) => network.runCheck(check)));
    for (const ip of text.match(/\d+\.\d+\.\d+\.\d+/g) ?? []) {
      expect(ip).toMatch(
        /^(192\.168\.1\.|192\.168\.100\.[12]$|169\.254\.|198\.51\.100\.|203\.0\.113\.)/,
      );
    }
  });
});

describe('fault details', () => {
  it('dns-failure: the router does not resolve, the reference resolver does', () => {
    const dns = check(new SimulatedNetwork('dns-failure'), 'dns').data;
    expect(dns.configured).toMatchObject({ server: '192.168.1.1', ok: false });
    expect(dns.reference).toMatchObject({ server: '203.0.113.53', ok: true });
  });

  it('dhcp-exhausted: self-assigned address; the server answers without an offer', () => {
    const network = new SimulatedNetwork('dhcp-exhausted');
    expect(check(network, 'ip_config').data).toMatchObject({
      linkLocalOnly: true,
      leaseValid: false,
    });
    expect(check(network, 'ip_config').data.address).toMatch(/^169\.254\./);
    expect(check(network, 'dhcp').data).toMatchObject({
      serverReachable: true,
      offerReceived: false,
    });
  });

  it('gateway-unreachable: the gateway answers neither ARP nor ping', () => {
    const gateway = check(new SimulatedNetwork('gateway-unreachable'), 'gateway').data;
    expect(gateway).toMatchObject({ address: '192.168.1.1', arpResolved: false, lossPct: 100 });
  });

  it('modem-hung and isp-outage differ at the modem', () => {
    expect(check(new SimulatedNetwork('modem-hung'), 'modem').data).toEqual({
      managementAddress: '192.168.100.1',
      reachable: false,
    });
    expect(check(new SimulatedNetwork('isp-outage'), 'modem').data).toEqual({
      managementAddress: '192.168.100.1',
      reachable: true,
      upstreamLocked: false,
    });
  });

  it('packet-loss: loss and jitter to the internet, none to the gateway', () => {
    const network = new SimulatedNetwork('packet-loss');
    expect(check(network, 'gateway').data.lossPct).toBe(0);
    for (const target of check(network, 'internet').data.targets) {
      expect(target.lossPct).toBe(25);
      expect(target.jitterMs).toBeGreaterThan(50);
    }
  });

  it('includes ordinary mDNS services while the link is up', () => {
    expect(check(new SimulatedNetwork('healthy'), 'mdns').data.services.length).toBeGreaterThan(1);
    expect(check(new SimulatedNetwork('link-down'), 'mdns').data.services).toEqual([]);
  });
});

describe('remediation', () => {
  const fixable = scenarioNames.filter((name) => scenarios[name].expectedAction);
  /** What a fix on the box leaves broken on the LAN: the router still hands out its dead resolver. */
  const leftOnTheLan: Partial<Record<ScenarioName, CheckName[]>> = {
    'dns-failure': ['dhcp_servers'],
    'router-dhcp-dns-dead-no-api': ['dhcp_servers'],
  };

  it.each(fixable)("the expected fix makes the box's own checks pass in %s", (name) => {
    const network = new SimulatedNetwork(name);
    const action = scenarios[name].expectedAction!;
    const { params } = parseRemediation(action, fixParams[action]);
    expect(network.apply(action, params)).toEqual(expect.any(String));
    expect(failing(network, checkNames)).toEqual(leftOnTheLan[name] ?? []);
    expect(network.applied).toEqual([{ action, params }]);
  });

  it.each<[ScenarioName, ActionId, Record<string, unknown>]>([
    ['isp-outage', 'power_cycle_modem', { offSeconds: 10 }],
    ['isp-outage', 'power_cycle_router', { offSeconds: 10 }],
    ['modem-hung', 'power_cycle_router', { offSeconds: 10 }],
    ['gateway-unreachable', 'power_cycle_modem', { offSeconds: 10 }],
    ['gateway-unreachable', 'renew_dhcp_lease', { interface: 'eth0' }],
    ['dns-failure', 'flush_dns', {}],
    ['dns-failure', 'power_cycle_router', { offSeconds: 10 }],
    ['dhcp-exhausted', 'renew_dhcp_lease', { interface: 'eth0' }],
    ['dhcp-exhausted', 'power_cycle_router', { offSeconds: 10 }],
    ['packet-loss', 'power_cycle_modem', { offSeconds: 10 }],
    ['link-down', 'restart_interface', { interface: 'eth0' }],
  ])('%s is not repaired by %s', (name, action, params) => {
    const network = new SimulatedNetwork(name);
    network.apply(action, params);
    expect(failing(network)).toEqual(failingBaseline[name]);
  });

  it('refuses an interface the Pi does not use, and records nothing', () => {
    const network = new SimulatedNetwork('healthy');
    expect(() => network.apply('renew_dhcp_lease', { interface: 'wlan0' })).toThrow(/wlan0/);
    expect(network.applied).toEqual([]);
  });

  it('fails over to LTE and back without touching the wired diagnostics', () => {
    const network = new SimulatedNetwork('isp-outage');
    network.apply('failover_lte', {});
    expect(network.activeUplink).toBe('lte');
    expect(failing(network)).toEqual(failingBaseline['isp-outage']);
    network.apply('failback_wan', {});
    expect(network.activeUplink).toBe('wan');
  });
});

describe("the router's API", () => {
  it('is not claimed broken where the box has no login for it', () => {
    const api = check(new SimulatedNetwork('router-dhcp-dns-dead-no-api'), 'router_api');
    expect(api).toMatchObject({ ok: true, data: { configured: false, reachable: false } });
  });

  it('shows what the DHCP hands out and the WAN it has', () => {
    expect(check(new SimulatedNetwork('router-dhcp-dns-dead'), 'router_api')).toMatchObject({
      ok: true,
      data: { lanAddress: '192.168.1.1', dhcp: { dnsServers: ['203.0.113.99'], dnsSet: true } },
    });
    expect(check(new SimulatedNetwork('router-wan-down'), 'router_api')).toMatchObject({
      ok: false,
      data: { reachable: true, wan: { up: false } },
    });
  });

  it('fixes nothing without a login, and no gateway but the router itself', () => {
    expect(() =>
      new SimulatedNetwork('router-dhcp-dns-dead-no-api').apply('router_set_dhcp_dns', {
        servers: ['203.0.113.53'],
      }),
    ).toThrow(/No router API/);
    expect(() =>
      new SimulatedNetwork('router-dhcp-gateway-wrong').apply('router_set_dhcp_gateway', {
        gateway: '192.168.1.254',
      }),
    ).toThrow(/not the router's own/);
  });

  it('a modem power cycle does not bring back a WAN the router dropped', () => {
    const network = new SimulatedNetwork('router-wan-down');
    network.apply('power_cycle_modem', { offSeconds: 10 });
    expect(failing(network)).toEqual(failingBaseline['router-wan-down']);
  });
});

describe('the long-tail checks', () => {
  const withFault = (fault: Fault) =>
    new SimulatedNetwork({
      description: 'a test network',
      fault,
      expectedStatus: 'escalated',
      expectedCategory: 'unknown',
    });
  const longTail: CheckName[] = [...longTailChecks];

  it('all pass on a healthy network', () => {
    expect(failing(new SimulatedNetwork('healthy'), longTail)).toEqual([]);
  });

  it.each<[string, Fault, CheckName[]]>([
    ['a rogue DHCP server', { rogueDhcpServer: true }, ['dhcp_servers']],
    [
      'private DNS answers',
      { dnsHijack: 'private' },
      ['dns_integrity', 'captive_portal', 'tcp_tls'],
    ],
    [
      'NXDOMAIN for real names',
      { dnsHijack: 'nxdomain' },
      ['dns_integrity', 'captive_portal', 'tcp_tls'],
    ],
    ['an MTU black hole', { pathMtu: 1300 }, ['path_mtu']],
    ['a captive portal', { captivePortal: true }, ['captive_portal']],
    ['port 853 rejected', { blockedPorts: [853] }, ['tcp_tls']],
    ['HTTPS intercepted', { tlsIntercepted: true }, ['tcp_tls']],
    ['a clock 10 minutes behind', { clockOffsetS: 600 }, ['clock_offset']],
    ['a 2/0.5 Mbit/s line', { lineDownMbps: 2, lineUpMbps: 0.5 }, ['throughput']],
    [
      'a line that queues 800 ms',
      { lineDownMbps: 40, lineUpMbps: 8, lineQueueMs: 800 },
      ['latency_under_load'],
    ],
    ['a line 400 ms long', { lineDelayMs: 400 }, ['latency_under_load']],
    ['a slow upstream resolver', { routerDnsDelayMs: 1500 }, ['dns_integrity']],
    ['a 10 Mbit/s LAN link', { lanLinkMbps: 10 }, ['throughput']],
    ["another device on the box's address", { addressConflict: true }, ['ip_conflict']],
    ["a second device on the router's address", { gatewayImpostor: true }, ['ip_conflict']],
    ['IPv6 advertised but dropped on the line', { ipv6Blackhole: true }, ['ipv6']],
    ['the printer without power', { printerOffline: true }, ['lan_inventory']],
    [
      'a weak Wi-Fi signal',
      { wifi: { signalDbm: -81, txBitrateMbps: 6.5, channelBusyPct: 24 } },
      ['wifi'],
    ],
  ])('%s fails exactly its checks', (_what, fault, expected) => {
    const network = withFault(fault);
    expect(failing(network, longTail)).toEqual(expected);
    for (const name of longTail) CheckResult.parse(network.runCheck(name));
  });

  it('a rogue server shows beside the router, with what it hands out', () => {
    const servers = check(withFault({ rogueDhcpServer: true }), 'dhcp_servers').data.servers;
    expect(servers.map((s) => s.serverId)).toEqual(['192.168.1.1', '192.168.1.66']);
    expect(servers[1]!.gateway).toEqual({ address: '192.168.1.254', answers: false });
  });

  it('a speed test after a failover to LTE does not run, and says why', () => {
    const network = new SimulatedNetwork('slow-line');
    network.apply('failover_lte', {});
    const result = network.runCheck('throughput');
    expect(result).toMatchObject({ ok: false, data: { skipped: 'cloud-link-on-lte' } });
    expect(result.error).toMatch(/^skipped: /);
  });

  it('a black hole shows the largest size that passes', () => {
    expect(check(withFault({ pathMtu: 1300 }), 'path_mtu').data.largestPassing).toBe(1280);
  });
});
