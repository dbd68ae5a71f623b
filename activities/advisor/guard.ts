import type { Advice, AdvisorInput } from '../../contracts/advice';
import { baselineChecks } from '../../contracts/checks';
import { checkThresholds, type CheckName, type CheckResult } from '../../contracts/diagnostics';
import { fixDescriptions } from '../../contracts/fixes';
import { officeWorks } from '../../contracts/office';
import { parseRemediation, type ActionId } from '../../contracts/remediation';

// The rule every answer passes, whichever engine gave it: never "healthy" while
// a check fails or a measured value is out of its normal range, never a fix the
// measurements do not point at, never a case about the office closed on a fix
// that changed only the box. Claude's answers that break it are rejected
// (validate.ts); the offline engine's become a hand-over (engine.ts).

/** Loss at or above this on the LAN or to internet targets is more than a line should have. */
export const LOSS_THRESHOLD_PCT = 5;

type ResultOf<K extends CheckName> = Extract<CheckResult, { check: K }>;
export type Latest = { [K in CheckName]?: ResultOf<K> };

/** The latest result of each check; one that could not run counts as missing. */
export function latestResults(results: readonly CheckResult[]): Latest {
  const latest = new Map(results.map((result) => [result.check, result]));
  return Object.fromEntries([...latest].filter(([, result]) => result.error === undefined));
}

/** Measured values outside their normal range, whether or not the check called itself ok. */
export function outOfRange(r: Latest): string[] {
  const found: string[] = [];
  if (r.link && !r.link.data.up) found.push('link: no carrier');
  if (r.ip_config?.data.linkLocalOnly) found.push('ip_config: self-assigned address');
  else if (r.ip_config && !r.ip_config.data.leaseValid) found.push('ip_config: no valid lease');
  if (r.dhcp && !r.dhcp.data.offerReceived) found.push('dhcp: no offer');
  if (r.gateway && !r.gateway.data.arpResolved) found.push('gateway: no ARP answer');
  if (r.gateway && r.gateway.data.lossPct >= LOSS_THRESHOLD_PCT) {
    found.push(`gateway: ${r.gateway.data.lossPct}% loss`);
  }
  if (r.dns && !r.dns.data.configured.ok) found.push('dns: the configured resolver fails');
  for (const t of r.internet?.data.targets ?? []) {
    if (t.lossPct >= LOSS_THRESHOLD_PCT) found.push(`internet: ${t.lossPct}% loss to ${t.host}`);
  }
  if (r.http && !r.http.data.ok) found.push('http: the page did not load');
  if (r.modem?.data.upstreamLocked === false) found.push('modem: no upstream signal');
  const internetMs = (r.internet?.data.targets ?? []).map((t) => t.avgMs);
  if (
    internetMs.length > 0 &&
    internetMs.every((ms) => ms !== undefined && ms > checkThresholds.maxIdleRttMs)
  ) {
    found.push(`internet: ${Math.round(Math.min(...(internetMs as number[])))} ms round trip`);
  }
  if ((r.ip_conflict?.data.duplicates.length ?? 0) > 0) {
    found.push("ip_conflict: another device answers for the box's address");
  }
  if ((r.ip_conflict?.data.gateway?.answers.length ?? 0) > 1) {
    found.push("ip_conflict: several devices answer for the gateway's address");
  }
  const v6 = r.ipv6?.data;
  if (v6?.offered && v6.targets.length > 0 && v6.targets.every((t) => t.lossPct >= 100)) {
    found.push('ipv6: advertised, but every IPv6 target is lost');
  }
  const radio = r.wifi?.data;
  if (radio?.signalDbm !== undefined && radio.signalDbm < checkThresholds.wifiWeakSignalDbm) {
    found.push(`wifi: signal ${radio.signalDbm} dBm`);
  }
  return found;
}

const gatewayAnswers = (r: Latest) =>
  !!r.gateway && r.gateway.data.arpResolved && r.gateway.data.lossPct < 100;
const internetLost = (r: Latest) => {
  const targets = r.internet?.data.targets ?? [];
  return targets.length > 0 && targets.every((t) => t.lossPct >= 100);
};
const hasAddress = (r: Latest) =>
  !!r.ip_config && r.ip_config.data.leaseValid && !r.ip_config.data.linkLocalOnly;

/** The router's API answered the box's login: a router fix can be carried out. */
export const routerApiWorks = (r: Latest) =>
  r.router_api?.data.configured === true &&
  r.router_api.data.reachable &&
  r.router_api.data.problem === undefined;

/** The one DHCP server on the LAN, when dhcp_servers heard exactly one. */
export function onlyDhcpServer(r: Latest) {
  const servers = r.dhcp_servers?.data.servers ?? [];
  return servers.length === 1 ? servers[0] : undefined;
}

/** Resolvers a check saw answer: the reference, the box's own, and those the DHCP offer names. */
function answeringResolvers(r: Latest): string[] {
  const seen: string[] = [];
  if (r.dns?.data.reference.ok) seen.push(r.dns.data.reference.server);
  if (r.dns?.data.configured.ok && r.dns.data.configured.server)
    seen.push(r.dns.data.configured.server);
  for (const d of onlyDhcpServer(r)?.dnsServers ?? []) if (d.answers) seen.push(d.address);
  return seen;
}

/** What the measurements must show before each fix may be proposed: the part it acts on failing. */
const evidenceFor: Record<ActionId, (r: Latest, params: Record<string, unknown>) => boolean> = {
  // The router: the box has an address and a link, yet its gateway does not answer.
  power_cycle_router: (r) => r.link?.data.up === true && hasAddress(r) && !gatewayAnswers(r),
  // The modem: the router answers, nothing beyond it does, and the modem is silent or
  // has lost its upstream (a modem that answers with its upstream locked is the provider's).
  power_cycle_modem: (r) =>
    gatewayAnswers(r) &&
    internetLost(r) &&
    (!r.modem || !r.modem.data.reachable || r.modem.data.upstreamLocked === false),
  // The resolver: the configured one fails where the reference (the fallback) worked.
  switch_dns_fallback: (r, params) =>
    !!r.dns &&
    !r.dns.data.configured.ok &&
    r.dns.data.reference.ok &&
    r.dns.data.reference.server === params.resolver,
  flush_dns: (r) => !!r.dns && !r.dns.data.configured.ok,
  // The box's lease: it has none, while a DHCP server offers one.
  renew_dhcp_lease: (r) =>
    r.link?.data.up === true && !hasAddress(r) && r.dhcp?.data.offerReceived === true,
  restart_interface: (r) => !!r.link && !!r.ip_config && (!r.link.data.up || !hasAddress(r)),
  // The wired line: the box reaches its router but nothing beyond it.
  failover_lte: (r) => gatewayAnswers(r) && internetLost(r),
  failback_wan: (r) =>
    gatewayAnswers(r) && !!r.internet && !internetLost(r) && outOfRange(r).length === 0,
  // What the router's DHCP hands out: the one server's resolver is silent, and every server
  // given instead was seen answering.
  router_set_dhcp_dns: (r, params) => {
    const only = onlyDhcpServer(r);
    const servers = params.servers as string[];
    return (
      routerApiWorks(r) &&
      !!only &&
      only.dnsServers.some((d) => !d.answers) &&
      servers.every((s) => answeringResolvers(r).includes(s))
    );
  },
  // The one server hands out a gateway that is silent, and the new one is the router itself.
  router_set_dhcp_gateway: (r, params) => {
    const only = onlyDhcpServer(r);
    return (
      routerApiWorks(r) &&
      !!only &&
      only.gateway?.answers !== true &&
      params.gateway === r.router_api?.data.lanAddress &&
      params.gateway !== only.gateway?.address
    );
  },
  // The router answers on the LAN and says its own uplink is down.
  router_restart_wan: (r) => routerApiWorks(r) && r.router_api?.data.wan?.up === false,
};

/** Why this answer may not stand on these measurements; undefined when it may. */
export function unjustified(advice: Advice, input: AdvisorInput): string | undefined {
  const r = latestResults(input.results);
  const missing = baselineChecks.filter((name) => !r[name]);
  switch (advice.kind) {
    case 'healthy': {
      if (missing.length > 0) return `healthy before the checks ${missing.join(', ')}`;
      const failing = Object.values(r).filter((result) => !result.ok);
      if (failing.length > 0) {
        return `healthy while ${failing.map((result) => result.check).join(', ')} fail`;
      }
      const odd = outOfRange(r);
      if (odd.length > 0) return `healthy while ${odd.join('; ')}`;
      if (officeUnverified(input)) {
        return "healthy on the box's own checks after a fix that changed only the box, for a fault of the office's network";
      }
      return undefined;
    }
    case 'remediate': {
      let fix: ReturnType<typeof parseRemediation>;
      try {
        fix = parseRemediation(advice.action, advice.params);
      } catch {
        return `bad parameters for ${advice.action}`;
      }
      if (input.actionsTaken.includes(fix.action)) return `${fix.action} was already carried out`;
      if (missing.length > 0) return `a fix before the checks ${missing.join(', ')}`;
      if (Object.values(r).every((result) => result.ok) && outOfRange(r).length === 0) {
        return 'a fix for a network whose checks all pass';
      }
      if (!evidenceFor[fix.action](r, fix.params)) {
        return `the measurements do not point at what ${fix.action} acts on`;
      }
      return undefined;
    }
    case 'more_checks':
      return input.round >= input.maxRounds ? 'more checks in the last round' : undefined;
    case 'escalate':
      return undefined;
  }
}

/**
 * A case about the office whose fixes all changed only the box: the box's checks
 * pass again, but nothing measured what the office's devices get.
 */
export function officeUnverified(input: AdvisorInput): boolean {
  return (
    input.faultScope === 'office' &&
    input.actionsTaken.length > 0 &&
    input.actionsTaken.every((action) => fixDescriptions[action].repairs === 'box') &&
    officeWorks(input.results) !== true
  );
}
