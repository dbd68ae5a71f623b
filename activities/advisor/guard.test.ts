import type { Advice, AdvisorInput } from '../../contracts/advice';
import { checkNames } from '../../contracts/checks';
import type { CheckName, CheckResult } from '../../contracts/diagnostics';
import { faultScope, officeWorks } from '../../contracts/office';
import type { ActionId } from '../../contracts/remediation';
import { SimulatedNetwork } from '../../agent/simulator/network';
import { guardedOffline } from './engine';
import { unjustified } from './guard';
import { offlineAdvice } from './offline';
import { validateModelAdvice } from './validate';

// The rule both engines pass (guard.ts), over many combinations of results: no
// "healthy" while anything measured is wrong, no fix the measurements do not
// point at, no case about the office closed by a fix of the box alone.

const measured = checkNames.filter((name) => name !== 'lte' && name !== 'mdns');
type Edit = (r: { [K in CheckName]: Extract<CheckResult, { check: K }> }) => void;

/** Every check of a working network, changed by the edits. */
function results(...edits: Edit[]): CheckResult[] {
  const network = new SimulatedNetwork('healthy');
  const all = Object.fromEntries(
    measured.map((name) => [name, structuredClone(network.runCheck(name))]),
  ) as Parameters<Edit>[0];
  for (const edit of edits) edit(all);
  return Object.values(all);
}

function input(list: CheckResult[], more: Partial<AdvisorInput> = {}): AdvisorInput {
  return { caseId: 'case-g', round: 1, maxRounds: 4, results: list, actionsTaken: [], ...more };
}

const healthy: Advice = { kind: 'healthy', diagnosis: 'All well.', rationale: 'Checks pass.' };
const fix = (action: ActionId, params: Record<string, unknown>): Advice => ({
  kind: 'remediate',
  action,
  params,
  issueCategory: 'unknown',
  diagnosis: 'A fault.',
  rationale: 'Measured.',
});
const cycle = { offSeconds: 10 };

/** Both engines' view: the guard's objection, and what Claude's answer would meet. */
function claudeRejects(advice: Advice, at: AdvisorInput): boolean {
  try {
    validateModelAdvice(advice, at);
    return false;
  } catch {
    return true;
  }
}

// Edits that break one check each: its own verdict and the value behind it.
const broken: Record<string, Edit> = {
  link: (r) => Object.assign(r.link, { ok: false, data: { ...r.link.data, up: false } }),
  ip_config: (r) =>
    Object.assign(r.ip_config, { ok: false, data: { ...r.ip_config.data, leaseValid: false } }),
  dhcp: (r) => Object.assign(r.dhcp, { ok: false, data: { ...r.dhcp.data, offerReceived: false } }),
  gateway: (r) =>
    Object.assign(r.gateway, { ok: false, data: { ...r.gateway.data, arpResolved: false } }),
  dns: (r) => {
    r.dns.ok = false;
    r.dns.data.configured.ok = false;
  },
  internet: (r) => {
    r.internet.ok = false;
    for (const t of r.internet.data.targets) t.lossPct = 100;
  },
  http: (r) => Object.assign(r.http, { ok: false, data: { ...r.http.data, ok: false } }),
  traceroute: (r) =>
    Object.assign(r.traceroute, {
      ok: false,
      data: { ...r.traceroute.data, reachedTarget: false },
    }),
  modem: (r) => Object.assign(r.modem, { ok: false, data: { ...r.modem.data, reachable: false } }),
};
// Only the verdict: a check that says it failed, whatever its values.
const verdictOnly = Object.fromEntries(
  measured.map((name): [string, Edit] => [`${name} (verdict)`, (r) => void (r[name].ok = false)]),
);
// Only a value: the check calls itself ok, the value is out of its normal range.
const valueOnly: Record<string, Edit> = {
  'gateway loss 10 %': (r) => void (r.gateway.data.lossPct = 10),
  'internet loss 20 %': (r) => void (r.internet.data.targets[0]!.lossPct = 20),
  'configured resolver fails': (r) => void (r.dns.data.configured.ok = false),
  'self-assigned address': (r) => void (r.ip_config.data.linkLocalOnly = true),
  'no DHCP offer': (r) => void (r.dhcp.data.offerReceived = false),
  'modem without upstream': (r) => void (r.modem.data.upstreamLocked = false),
  'page not loading': (r) => void (r.http.data.ok = false),
};
const single = { ...broken, ...verdictOnly, ...valueOnly };
const names = Object.keys(single);
const pairs = names.flatMap((a, i) => names.slice(i + 1).map((b) => [a, b] as const));

describe('never a false "healthy"', () => {
  it('a working network may be called healthy', () => {
    const at = input(results());
    expect(unjustified(healthy, at)).toBeUndefined();
    expect(offlineAdvice(at).kind).toBe('healthy');
  });

  it.each(names)('one fault (%s): neither engine says healthy', (name) => {
    const at = input(results(single[name]!));
    expect(unjustified(healthy, at)).toBeDefined();
    expect(claudeRejects(healthy, at)).toBe(true);
    const offline = offlineAdvice(at);
    expect(offline.kind).not.toBe('healthy');
    // The offline rules' own answer passes the guard: it is not turned into a hand-over.
    expect(unjustified(offline, at)).toBeUndefined();
    expect(guardedOffline(at)).toEqual(offline);
  });

  it.each(pairs)('two faults (%s + %s): neither engine says healthy', (a, b) => {
    const at = input(results(single[a]!, single[b]!));
    expect(unjustified(healthy, at)).toBeDefined();
    expect(guardedOffline(at).kind).not.toBe('healthy');
  });

  it('a check that could not run does not count as passing', () => {
    const at = input(results((r) => void (r.dns.error = 'timed out')));
    expect(unjustified(healthy, at)).toMatch(/before the checks dns/);
  });
});

// [what, the fix, the measurements, allowed?]
const fixes: [string, Advice, Edit[], boolean][] = [
  ['router: gateway silent, link up', fix('power_cycle_router', cycle), [broken.gateway!], true],
  ['router: gateway answers', fix('power_cycle_router', cycle), [broken.internet!], false],
  ['router: link down', fix('power_cycle_router', cycle), [broken.link!, broken.gateway!], false],
  [
    'router: no lease',
    fix('power_cycle_router', cycle),
    [broken.ip_config!, broken.gateway!],
    false,
  ],
  [
    'modem: silent, beyond lost',
    fix('power_cycle_modem', cycle),
    [broken.modem!, broken.internet!],
    true,
  ],
  [
    'modem: not checked, beyond lost',
    fix('power_cycle_modem', cycle),
    [broken.internet!, (r) => void (r.modem.error = 'not run')],
    true,
  ],
  [
    'modem: answers without upstream, beyond lost',
    fix('power_cycle_modem', cycle),
    [broken.internet!, valueOnly['modem without upstream']!],
    true,
  ],
  [
    'modem: answers and locked, beyond lost',
    fix('power_cycle_modem', cycle),
    [broken.internet!],
    false,
  ],
  ['modem: silent, internet fine', fix('power_cycle_modem', cycle), [broken.modem!], false],
  [
    'modem: gateway silent too',
    fix('power_cycle_modem', cycle),
    [broken.gateway!, broken.modem!, broken.internet!],
    false,
  ],
  [
    'dns: resolver fails, reference works',
    fix('switch_dns_fallback', { resolver: '203.0.113.53' }),
    [broken.dns!],
    true,
  ],
  [
    'dns: another resolver',
    fix('switch_dns_fallback', { resolver: '192.0.2.53' }),
    [broken.dns!],
    false,
  ],
  [
    'dns: resolver works',
    fix('switch_dns_fallback', { resolver: '203.0.113.53' }),
    [broken.http!],
    false,
  ],
  [
    'lease: lost, router offers',
    fix('renew_dhcp_lease', { interface: 'eth0' }),
    [broken.ip_config!, broken.gateway!],
    true,
  ],
  [
    'lease: lost, no offer',
    fix('renew_dhcp_lease', { interface: 'eth0' }),
    [broken.ip_config!, broken.dhcp!],
    false,
  ],
  ['lease: valid', fix('renew_dhcp_lease', { interface: 'eth0' }), [broken.gateway!], false],
  ['lte: beyond the router lost', fix('failover_lte', {}), [broken.internet!], true],
  ['lte: only names fail', fix('failover_lte', {}), [broken.dns!], false],
  ['anything: nothing failed', fix('flush_dns', {}), [], false],
];

describe('a fix only where the measurements point at its part', () => {
  it.each(fixes)('%s', (_, advice, edits, allowed) => {
    const at = input(results(...edits));
    expect(unjustified(advice, at) === undefined).toBe(allowed);
    expect(claudeRejects(advice, at)).toBe(!allowed);
  });

  it('the offline engine proposes only fixes the guard allows, whatever the faults', () => {
    for (const [a, b] of pairs) {
      for (const round of [1, 4]) {
        const at = input(results(single[a]!, single[b]!), { round });
        expect([a, b, unjustified(offlineAdvice(at), at)]).toEqual([a, b, undefined]);
      }
    }
  });
});

describe('a case about the office', () => {
  // The box's own checks all pass again; nothing measured what the LAN hands out.
  const boxOnly = () => results().filter((r) => r.check !== 'dhcp_servers');
  const afterFallback = (more: Partial<AdvisorInput> = {}) =>
    input(boxOnly(), { actionsTaken: ['switch_dns_fallback'], faultScope: 'office', ...more });

  it("is not closed on the box's checks after a fix of the box alone", () => {
    const at = afterFallback();
    expect(unjustified(healthy, at)).toMatch(/changed only the box/);
    // The offline engine measures what the office's DHCP hands out first...
    expect(offlineAdvice(at)).toMatchObject({ kind: 'more_checks', checks: ['dhcp_servers'] });
    // ...and in the last round, with no rounds left for it, hands the router's fix over.
    const offline = offlineAdvice({ ...at, round: at.maxRounds });
    expect(offline).toMatchObject({ kind: 'escalate', issueCategory: 'dns' });
    // The customer's steps name the router's DHCP DNS setting and the working resolver.
    expect(offline.kind === 'escalate' && offline.instructions).toMatch(
      /DHCP[\s\S]*DNS server[\s\S]*203\.0\.113\.53[\s\S]*Restart the router/,
    );
  });

  it("closes on the box's checks when the fault was the box's own or the fix acted on the office", () => {
    expect(unjustified(healthy, afterFallback({ faultScope: 'box' }))).toBeUndefined();
    expect(unjustified(healthy, afterFallback({ faultScope: undefined }))).toBeUndefined();
    expect(
      unjustified(
        healthy,
        afterFallback({ actionsTaken: ['switch_dns_fallback', 'power_cycle_router'] }),
      ),
    ).toBeUndefined();
  });

  it('closes once the office itself is measured working, and not when it is not', () => {
    const offer = (ok: boolean, servers: object[]) =>
      ({
        check: 'dhcp_servers',
        ok,
        durationMs: 1,
        data: { interface: 'eth0', listenedMs: 3000, servers },
      }) as CheckResult;
    const works = {
      serverId: '192.168.1.1',
      offeredAddress: '192.168.1.120',
      leaseSeconds: 3600,
      gateway: { address: '192.168.1.1', answers: true },
      dnsServers: [{ address: '203.0.113.53', answers: true }],
    };
    const cases: [CheckResult, boolean][] = [
      [offer(true, [works]), true],
      [
        offer(false, [{ ...works, dnsServers: [{ address: '192.168.1.1', answers: false }] }]),
        false,
      ],
      [offer(false, [{ ...works, gateway: { address: '192.168.1.1', answers: false } }]), false],
      [offer(false, [works, { ...works, serverId: '192.168.1.9' }]), false],
      [offer(true, [{ ...works, dnsServers: [] }]), false],
      [offer(false, []), false],
    ];
    for (const [result, office] of cases) {
      expect(officeWorks([result])).toBe(office);
      const at = afterFallback({ results: [...boxOnly(), result] });
      expect(unjustified(healthy, at) === undefined).toBe(office);
    }
  });
});

describe('where a fault lies', () => {
  it.each([
    ['the box lost its lease while the router offers', [broken.ip_config!], 'box'],
    ['the box has no link', [broken.link!, broken.gateway!], 'box'],
    ['no lease and no offer', [broken.ip_config!, broken.dhcp!], 'office'],
    ["the router's resolver fails", [broken.dns!], 'office'],
    ['the gateway is silent', [broken.gateway!], 'office'],
    ['only the web page fails', [broken.http!], 'office'],
    ['nothing', [], undefined],
  ] as [string, Edit[], string | undefined][])('%s', (_, edits, scope) => {
    expect(faultScope(results(...edits))).toBe(scope);
  });
});
