import { checkNames } from '../../contracts/checks';
import type { CheckName, CheckResult } from '../../contracts/diagnostics';
import { SimulatedNetwork } from '../../agent/simulator/network';
import { scenarioNames, type Fault } from '../../agent/simulator/scenarios';
import { checkSummary, latencyPoints, lossPoints } from '../../portal/app/utils/diagnostics';

// Every check a case can run reads as a sentence on the case page, not "Passed".

describe("the portal's words for check results", () => {
  const healthy = new SimulatedNetwork('healthy');

  it.each([...checkNames])('%s reads as a sentence', (name) => {
    const words = checkSummary(healthy.runCheck(name) as CheckResult);
    expect(words).not.toMatch(/^(Passed|Failed)$/);
  });

  it("says what the router's API reports, never the router's own words", () => {
    const wanDown = new SimulatedNetwork('router-wan-down').runCheck('router_api');
    expect(checkSummary(wanDown as CheckResult)).toBe(
      "The router's internet connection is down; it hands out the gateway 192.168.1.1 and DNS 192.168.1.1",
    );
    expect(checkSummary(healthy.runCheck('router_api') as CheckResult)).toBe(
      "The Zen box has no login to the router's API",
    );
  });

  it('names what is wrong with the LAN’s address servers, the name server and the clock', () => {
    const dhcp = {
      check: 'dhcp_servers',
      ok: false,
      durationMs: 1,
      data: {
        interface: 'eth0',
        listenedMs: 3000,
        servers: [
          { serverId: '192.168.1.1', dnsServers: [] },
          { serverId: '192.168.1.254', dnsServers: [] },
        ],
      },
    } as unknown as CheckResult;
    expect(checkSummary(dhcp)).toBe(
      '2 address servers answer (192.168.1.1, 192.168.1.254): only one should',
    );
    const dns = {
      check: 'dns_integrity',
      ok: false,
      durationMs: 1,
      data: { findings: ['private-answer', 'slow'] },
    } as unknown as CheckResult;
    expect(checkSummary(dns)).toBe(
      'Your name server answers a public name with a local address, is slow',
    );
    const clock = {
      check: 'clock_offset',
      ok: false,
      durationMs: 1,
      data: { offsetMs: -600_000 },
    } as unknown as CheckResult;
    expect(checkSummary(clock)).toBe("The Zen box's clock is 600.0 s off");
  });

  it('names what is wrong on the office LAN: an address taken twice, IPv6, a missing printer, the Wi-Fi', () => {
    const words = (fault: Fault, check: CheckName) =>
      checkSummary(
        new SimulatedNetwork({
          description: 'a test network',
          fault,
          expectedStatus: 'escalated',
          expectedCategory: 'unknown',
        }).runCheck(check) as CheckResult,
      );
    expect(words({ addressConflict: true }, 'ip_conflict')).toBe(
      "Another device uses the Zen box's address 192.168.1.23",
    );
    expect(words({ gatewayImpostor: true }, 'ip_conflict')).toBe(
      "2 devices answer for the router's address 192.168.1.1",
    );
    expect(words({ ipv6Blackhole: true }, 'ipv6')).toBe(
      'The router offers IPv6 but it leads nowhere: apps that prefer it stall',
    );
    expect(words({ printerOffline: true }, 'lan_inventory')).toBe(
      '3 devices answer; no longer answering: printer 192.168.1.60',
    );
    expect(
      words({ wifi: { signalDbm: -81, txBitrateMbps: 6.5, channelBusyPct: 24 } }, 'wifi'),
    ).toBe('Wi-Fi is weak or crowded: signal -81 dBm, 6.5 Mbit/s, channel busy 24%');
    expect(words({}, 'wifi')).toBe('The Zen box is wired: no Wi-Fi to measure');
  });
});

describe('a failed row says what failed', () => {
  const healthy = new SimulatedNetwork('healthy');

  it('the modem that answers without a line from the provider is not "The modem answers"', () => {
    const modem = { check: 'modem', ok: false, durationMs: 1 };
    const noUpstream = {
      ...modem,
      data: { managementAddress: '192.168.100.1', reachable: true, upstreamLocked: false },
    } as CheckResult;
    expect(checkSummary(noUpstream)).toBe(
      'The modem answers, but it has no signal from your internet provider',
    );
    const other = {
      ...modem,
      data: { managementAddress: '192.168.100.1', reachable: true },
    } as CheckResult;
    expect(checkSummary(other)).toBe('The modem answers, but reports a problem');
  });

  // In every scenario the simulator knows, a check that failed never reads as it does on a
  // healthy network: the words follow pass and fail.
  it.each([...scenarioNames])('in the %s scenario', (scenario) => {
    const network = new SimulatedNetwork(scenario);
    for (const name of checkNames) {
      const result = network.runCheck(name) as CheckResult;
      if (result.ok) continue;
      const passing = healthy.runCheck(name) as CheckResult;
      if (!passing.ok) continue;
      expect({ check: name, words: checkSummary(result) }).not.toEqual({
        check: name,
        words: checkSummary(passing),
      });
    }
  });
});

describe('the charts', () => {
  const gateway = (data: Record<string, unknown>) =>
    ({ check: 'gateway', ok: false, durationMs: 1, data }) as CheckResult;

  it('keep a measurement without an answer as a failed point, named for what it is', () => {
    const results = [
      gateway({ address: '192.168.1.1', arpResolved: false, lossPct: 100 }),
      {
        check: 'internet',
        ok: false,
        durationMs: 1,
        data: {
          targets: [
            { host: '1.1.1.1', sent: 3, lossPct: 0, avgMs: 12 },
            { host: '8.8.8.8', sent: 3, lossPct: 100 },
          ],
        },
      },
      {
        check: 'dns',
        ok: false,
        durationMs: 1,
        data: {
          name: 'example.com',
          configured: { server: '192.168.1.1', ok: false },
          reference: { server: '1.1.1.1', ok: true, ms: 9 },
        },
      },
      {
        check: 'http',
        ok: false,
        durationMs: 1,
        data: { url: 'https://www.example.com/', ok: false },
      },
    ] as CheckResult[];
    expect(latencyPoints(results)).toEqual([
      { label: 'Your router (192.168.1.1)', value: undefined },
      { label: 'Internet (1.1.1.1)', value: 12 },
      { label: 'Internet (8.8.8.8)', value: undefined },
      { label: 'Your name server (192.168.1.1)', value: undefined },
      { label: 'Cloudflare DNS (1.1.1.1)', value: 9 },
      { label: 'Website (www.example.com)', value: undefined },
    ]);
    expect(lossPoints(results)).toEqual([
      { label: 'Your router (192.168.1.1)', value: 100 },
      { label: 'Internet (1.1.1.1)', value: 0 },
      { label: 'Internet (8.8.8.8)', value: 100 },
    ]);
  });

  it('a backup name server that is not a well-known one is called a backup name server', () => {
    const points = latencyPoints([new SimulatedNetwork('healthy').runCheck('dns') as CheckResult]);
    expect(points.map((p) => p.label)).toEqual([
      'Your name server (192.168.1.1)',
      'Backup name server (203.0.113.53)',
    ]);
  });
});
