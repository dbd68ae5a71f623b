import { Advice, type AdvisorInput } from '../../contracts/advice';
import { baselineChecks } from '../../contracts/checks';
import type { CheckName } from '../../contracts/diagnostics';
import { sanitizeResult } from '../../agent/sanitize';
import { SimulatedNetwork } from '../../agent/simulator/network';
import type { Fault } from '../../agent/simulator/scenarios';
import { unjustified } from './guard';
import { offlineAdvice } from './offline';

// The LAN rules (lanRules.ts) through the offline engine, on the simulated
// network's results as they leave the box (sanitized).

function network(fault: Fault) {
  return new SimulatedNetwork({
    description: 'a test network',
    fault,
    expectedStatus: 'escalated',
    expectedCategory: 'unknown',
  });
}

function advise(fault: Fault, checks: CheckName[], description?: string) {
  const net = network(fault);
  const input: AdvisorInput = {
    caseId: 'case-lan',
    round: 2,
    maxRounds: 5,
    results: [...baselineChecks, ...checks].map((name) => sanitizeResult(net.runCheck(name))),
    actionsTaken: [],
    ...(description ? { description } : {}),
  };
  const advice = Advice.parse(offlineAdvice(input));
  return { advice, objection: unjustified(advice, input) };
}

/** The escalation's fields, for matching. */
function escalation(advice: Advice) {
  if (advice.kind !== 'escalate') throw new Error(`not an escalation: ${JSON.stringify(advice)}`);
  return advice;
}

describe('ip_conflict', () => {
  it("hands over a device on the box's own address, named by address and maker prefix", () => {
    const { advice, objection } = advise({ addressConflict: true }, ['ip_conflict']);
    const found = escalation(advice);
    expect(found.issueCategory).toBe('ip-conflict');
    expect(found.diagnosis).toContain('192.168.1.23');
    expect(found.instructions).toMatch(/begins with 00:1b:a9/);
    expect(found.instructions).toMatch(/For the technician: .*mac:[0-9a-f]{12}/);
    // The whole MAC never leaves the box.
    expect(JSON.stringify(advice)).not.toContain('00:1b:a9:42:17:0c');
    expect(objection).toBeUndefined();
  });

  it("hands over a second device on the router's address as a conflict or a spoofer", () => {
    const found = escalation(advise({ gatewayImpostor: true }, ['ip_conflict']).advice);
    expect(found.issueCategory).toBe('ip-conflict');
    expect(found.diagnosis).toMatch(/claims to be your router \(192\.168\.1\.1\)/);
    expect(found.instructions).toMatch(/2 MACs answered 4 ARP probes/);
    expect(found.instructions).toMatch(/ARP spoofing/);
  });

  it('asks for the probe when the customer names an address conflict or drop-outs', () => {
    for (const words of [
      'Windows says there is an IP address conflict',
      'The internet keeps dropping out',
    ]) {
      expect(advise({}, [], words).advice).toMatchObject({
        kind: 'more_checks',
        checks: expect.arrayContaining(['ip_conflict']),
      });
    }
  });

  it('calls a network without conflicts healthy', () => {
    expect(advise({}, ['ip_conflict']).advice.kind).toBe('healthy');
  });
});

describe('ipv6', () => {
  it('hands over IPv6 that the router advertises and the line drops, never as healthy', () => {
    const { advice, objection } = advise({ ipv6Blackhole: true }, ['ipv6']);
    const found = escalation(advice);
    expect(found.issueCategory).toBe('ipv6');
    expect(found.instructions).toMatch(/switch IPv6 off/);
    expect(found.instructions).toMatch(/call your internet provider/);
    expect(found.instructions).toMatch(/advertises 2001:db8:1::\/64 .*2001:db8:20::20 100% lost/);
    expect(objection).toBeUndefined();
    // The guard knows the value too: a "healthy" on these results is refused.
    const net = network({ ipv6Blackhole: true });
    const input: AdvisorInput = {
      caseId: 'case-lan',
      round: 2,
      maxRounds: 5,
      results: [...baselineChecks, 'ipv6' as const].map((name) => net.runCheck(name)),
      actionsTaken: [],
    };
    expect(unjustified({ kind: 'healthy', diagnosis: 'ok', rationale: 'ok' }, input)).toMatch(
      /ipv6/,
    );
  });

  it('asks for IPv6 when pages stall or the provider changed', () => {
    for (const words of ['Pages take ages to load', 'We got a new provider last week']) {
      expect(advise({}, [], words).advice).toMatchObject({
        kind: 'more_checks',
        checks: expect.arrayContaining(['ipv6']),
      });
    }
  });

  it('calls working IPv6 healthy', () => {
    expect(advise({}, ['ipv6']).advice.kind).toBe('healthy');
  });
});

describe('lan_inventory', () => {
  it('hands over a printer that no longer answers, with its last address', () => {
    const { advice, objection } = advise({ printerOffline: true }, ['lan_inventory']);
    const found = escalation(advice);
    expect(found.issueCategory).toBe('lan-device');
    expect(found.diagnosis).toMatch(/printer \(last at 192\.168\.1\.60\) no longer answers/);
    expect(found.instructions).toMatch(/switched on/);
    expect(found.instructions).toMatch(/Its last address was 192\.168\.1\.60/);
    expect(objection).toBeUndefined();
  });

  it('keeps the hand-over within its bounds when many devices are gone', () => {
    const net = network({ printerOffline: true });
    const inventory = net.runCheck('lan_inventory');
    if (inventory.check !== 'lan_inventory') throw new Error('not an inventory');
    const printer = inventory.data.devices[0]!;
    inventory.data.devices = Array.from({ length: 40 }, (_, i) => ({
      ...printer,
      address: `192.168.1.${100 + i}`,
    }));
    const input: AdvisorInput = {
      caseId: 'case-lan',
      round: 2,
      maxRounds: 5,
      results: [
        ...baselineChecks.map((name) => sanitizeResult(net.runCheck(name))),
        sanitizeResult(inventory),
      ],
      actionsTaken: [],
    };
    const found = escalation(Advice.parse(offlineAdvice(input)));
    expect(found.instructions).toMatch(/and 37 more/);
  });

  it('asks for the inventory when the customer names a printer', () => {
    expect(advise({}, [], "The printer doesn't print").advice).toMatchObject({
      kind: 'more_checks',
      checks: ['lan_inventory'],
    });
  });

  it('never calls it healthy when the customer names a printer the network reaches', () => {
    const found = escalation(
      advise({}, ['lan_inventory'], 'Nobody can print since this morning').advice,
    );
    expect(found.issueCategory).toBe('lan-device');
    expect(found.diagnosis).toMatch(/the network is not what stops it/);
    expect(found.instructions).toMatch(/queue, driver/);
  });

  it('hands over a printer that answers ARP but refuses its print port as the printer’s', () => {
    const net = network({});
    const inventory = net.runCheck('lan_inventory');
    if (inventory.check !== 'lan_inventory') throw new Error('not an inventory');
    for (const d of inventory.data.devices) {
      if (d.kind === 'printer') d.servicePort = { port: 631, open: false };
    }
    const input: AdvisorInput = {
      caseId: 'case-lan',
      round: 2,
      maxRounds: 5,
      results: [...baselineChecks.map((name) => net.runCheck(name)), inventory],
      actionsTaken: [],
      description: 'The printer does not print',
    };
    const found = escalation(offlineAdvice(input));
    expect(found.issueCategory).toBe('lan-device');
    expect(found.diagnosis).toMatch(/\(port 631\) does not accept connections/);
  });

  it('hands over a device the customer names that the box never saw', () => {
    const found = escalation(
      advise({}, ['lan_inventory'], 'The security camera shows nothing').advice,
    );
    expect(found.issueCategory).toBe('lan-device');
    expect(found.diagnosis).toMatch(/does not see a camera/);
  });

  it('stays healthy when nothing is missing and the customer names no device', () => {
    expect(advise({}, ['lan_inventory']).advice.kind).toBe('healthy');
  });
});

describe('wifi', () => {
  const weak = { wifi: { signalDbm: -81, txBitrateMbps: 6.5, channelBusyPct: 24 } };
  const crowded = { wifi: { signalDbm: -55, txBitrateMbps: 144.4, channelBusyPct: 86 } };

  it('hands over a weak signal with the move-closer and cable steps', () => {
    const { advice, objection } = advise(weak, ['wifi']);
    const found = escalation(advice);
    expect(found.issueCategory).toBe('wifi');
    expect(found.instructions).toMatch(/closer together/);
    expect(found.instructions).toMatch(/network cable/);
    expect(found.instructions).toMatch(/signal -81 dBm \(weak below -75\)/);
    // The network's name is the access point's choice: never in the words.
    expect(JSON.stringify(advice)).not.toContain('Office');
    expect(objection).toBeUndefined();
  });

  it('hands over a crowded channel with the channel steps', () => {
    const found = escalation(advise(crowded, ['wifi']).advice);
    expect(found.diagnosis).toMatch(/crowded/);
    expect(found.instructions).toMatch(/^1\. .*another channel/m);
  });

  it('asks for the Wi-Fi check when the customer names the Wi-Fi', () => {
    expect(advise({}, [], 'The wifi is terrible').advice).toMatchObject({
      kind: 'more_checks',
      checks: ['wifi'],
    });
  });

  it('never calls the Wi-Fi healthy from a wired box that cannot measure it', () => {
    const found = escalation(advise({}, ['wifi'], 'The wifi is terrible').advice);
    expect(found.issueCategory).toBe('wifi');
    expect(found.diagnosis).toMatch(/connected by cable/);
    expect(advise({}, ['wifi']).advice.kind).toBe('healthy');
  });
});

describe('the guard', () => {
  it.each<[string, Fault, CheckName]>([
    ["another device on the box's address", { addressConflict: true }, 'ip_conflict'],
    ["two devices on the router's address", { gatewayImpostor: true }, 'ip_conflict'],
    [
      'a weak Wi-Fi signal',
      { wifi: { signalDbm: -81, txBitrateMbps: 54, channelBusyPct: 10 } },
      'wifi',
    ],
  ])(
    'refuses "healthy" with %s, even from a check that called itself ok',
    (_what, fault, check) => {
      const net = network(fault);
      const results = [...baselineChecks, check].map((name) => ({
        ...net.runCheck(name),
        ok: true,
      }));
      const input: AdvisorInput = {
        caseId: 'case-lan',
        round: 2,
        maxRounds: 5,
        results,
        actionsTaken: [],
      };
      expect(unjustified({ kind: 'healthy', diagnosis: 'ok', rationale: 'ok' }, input)).toMatch(
        new RegExp(check),
      );
    },
  );

  it('asks for no more checks in one round than an answer may name', () => {
    const everything =
      'Some websites are slow since the new provider, the VPN and email fail, a login page and certificate warnings appear, some laptops are offline with an address conflict, the wifi drops out and the printer does not print';
    const { advice } = advise({}, [], everything);
    expect(advice.kind).toBe('more_checks');
    if (advice.kind === 'more_checks') expect(advice.checks.length).toBeLessThanOrEqual(11);
  });
});
