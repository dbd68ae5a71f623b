import type { CheckResult } from './diagnostics';
import { fixDescriptions, type ActionId, type Repairs } from './fixes';

// Whose fault a case is about, read from the box's measurements: plain code
// without zod, so the workflow and both advisor engines share it.

type ResultOf<K extends CheckResult['check']> = Extract<CheckResult, { check: K }>;

function latest(results: readonly CheckResult[]) {
  const usable = new Map<string, CheckResult>();
  for (const result of results) {
    if (result.error === undefined) usable.set(result.check, result);
    else usable.delete(result.check);
  }
  return <K extends CheckResult['check']>(check: K) => usable.get(check) as ResultOf<K> | undefined;
}

/**
 * Where the measured fault lies: 'box' only when the measurements show the box's
 * own state alone is wrong (its cable, or its lease while the router still offers
 * addresses); 'office' for anything else that failed, since the other devices go
 * through the same router, resolver, modem and line; undefined when nothing failed.
 */
export function faultScope(results: readonly CheckResult[]): Repairs | undefined {
  const r = latest(results);
  if (!results.some((result) => !result.ok)) return undefined;
  if (r('link')?.data.up === false) return 'box';
  const ip = r('ip_config');
  if (ip && (!ip.data.leaseValid || ip.data.linkLocalOnly)) {
    // A router that offers the box an address offers the others one too.
    return r('dhcp')?.data.offerReceived === true ? 'box' : 'office';
  }
  return 'office';
}

/**
 * Evidence about the office itself: what the LAN's DHCP hands every device, and
 * whether that works. Only the `dhcp_servers` check measures it: true when exactly
 * one server offers, its gateway answered and every resolver it hands out answered;
 * false when the check saw otherwise; undefined when the case has no such measurement.
 */
export function officeWorks(results: readonly CheckResult[]): boolean | undefined {
  const found = latest(results)('dhcp_servers');
  if (!found) return undefined;
  const [server, ...others] = found.data.servers;
  return (
    found.ok &&
    server !== undefined &&
    others.length === 0 &&
    server.gateway?.answers === true &&
    server.dnsServers.length > 0 &&
    server.dnsServers.every((d) => d.answers)
  );
}

/**
 * The case's fault scope once a fix is proposed: a fix that changes only the box
 * notes where the measured fault lay, and a fault of the office stays the case's.
 */
export function scopeWithFix(
  scope: Repairs | undefined,
  action: ActionId,
  results: readonly CheckResult[],
): Repairs | undefined {
  if (scope === 'office' || fixDescriptions[action].repairs === 'office') return scope;
  return faultScope(results) ?? scope;
}
