import type { AdvisorInput } from '../../contracts/advice';
import { baselineChecks } from '../../contracts/checks';
import { type CheckName, type CheckResult } from '../../contracts/diagnostics';
import { sanitizeResult } from '../../agent/sanitize';
import { SimulatedNetwork } from '../../agent/simulator/network';

// Advisor inputs made from the simulated scenarios.

export function scenarioInput(
  scenario: string,
  overrides: Partial<AdvisorInput> = {},
  checks: CheckName[] = baselineChecks,
): AdvisorInput {
  const network = new SimulatedNetwork(scenario);
  return {
    caseId: `case-${scenario}`,
    round: 1,
    maxRounds: 4,
    results: checks.map((name) => sanitizeResult(network.runCheck(name))),
    actionsTaken: [],
    ...overrides,
  };
}

export type Field = 'ssid' | 'hostname' | 'mdns' | 'http_banner' | 'description';

/** The input with the text wherever a device (or the customer) chooses the words for that field. */
export function withHostileText(input: AdvisorInput, field: Field, text: string): AdvisorInput {
  const results: CheckResult[] = [...input.results];
  const service = { name: 'Office Printer', type: '_ipp._tcp', host: 'office-printer.local' };
  if (field === 'ssid') {
    // A network name as a device announces it: an mDNS service, and the LTE operator name.
    service.name = text;
    results.push({
      check: 'lte',
      ok: true,
      durationMs: 240,
      data: { present: true, registered: true, signalDbm: -87, operator: text.slice(0, 64) },
    });
  }
  if (field === 'hostname') service.host = text;
  if (field === 'mdns') service.name = text;
  results.push({ check: 'mdns', ok: true, durationMs: 1500, data: { services: [service] } });
  results.push({
    check: 'http',
    ok: true,
    durationMs: 180,
    data: {
      url: 'https://www.example.com/',
      ok: true,
      status: 200,
      serverHeader: field === 'http_banner' ? text : 'nginx',
    },
  });
  return {
    ...input,
    results,
    ...(field === 'description' ? { description: text } : {}),
  };
}
