import type { Advice, AdvisorInput } from '../../contracts/advice';
import { baselineChecks } from '../../contracts/checks';
import { type CheckName, type CheckResult } from '../../contracts/diagnostics';
import { customerCanDo, escalate, fixOnce, routerDnsSteps } from './answers';
import { describesSlowness, worthChecking } from './hints';
import { slownessElsewhere } from './performanceRules';
import { longTailAdvice } from './longTail';
import { routerDnsAdvice, routerGatewayAdvice, routerWanAdvice } from './routerRules';
import {
  LOSS_THRESHOLD_PCT,
  latestResults,
  officeUnverified,
  outOfRange,
  type Latest,
} from './guard';

// The offline expert engine: fixed rules over the diagnostics, used when Claude
// is not configured or not reachable. It decides on booleans, numbers and
// typed addresses, never on free text, so nothing a device on the customer's
// network announces can steer it; the customer's description can only make it
// measure more before it calls a network healthy (hints.ts), or hand a device
// or Wi-Fi problem the measurements cannot rule out to a person (lanRules.ts).

type ResultOf<K extends CheckName> = Extract<CheckResult, { check: K }>;

const POWER_CYCLE = { offSeconds: 10 };

function moreChecks(input: AdvisorInput, checks: CheckName[], rationale: string): Advice {
  if (input.round >= input.maxRounds) {
    return escalate(
      'unknown',
      'The automatic checks could not pin the problem down in the time allowed.',
      'A technician will look at the results so far and contact you.',
      `More checks were needed (${checks.join(', ')}), but this case has used all of its diagnostic rounds.`,
    );
  }
  return { kind: 'more_checks', checks, rationale };
}

export function offlineAdvice(input: AdvisorInput): Advice {
  const r = latestResults(input.results);

  const missing = baselineChecks.filter((name) => !r[name]);
  if (missing.length > 0) {
    return moreChecks(input, missing, 'The basic checks are not all in yet.');
  }
  const { link, ip_config: ip, gateway, dns, internet } = r as Required<Latest>;

  if (!link.data.up) {
    return customerCanDo(
      escalate(
        'link',
        'The support box has no network connection at all: its network cable is not carrying a signal.',
        [
          '1. Check the cable between the Zen box and the router or switch: both ends firmly clicked in.',
          '2. Look at the small lights next to the socket on the Zen box and on the router: they should be lit or blinking.',
          '3. If they stay off, try another cable, or another free socket on the router or switch.',
          'A technician will call you if the Zen box still has no connection.',
        ].join('\n'),
        'The wired interface reports no link, so nothing beyond it can be reached; no remote action can reconnect a cable.',
      ),
      "Check the Zen box's network cable",
    );
  }

  if (ip.data.linkLocalOnly || !ip.data.leaseValid) return dhcpAdvice(input, r.dhcp);

  if (!gateway.data.arpResolved || gateway.data.lossPct >= 100) {
    const setting = routerGatewayAdvice(input, r);
    if (setting) return setting;
    return fixOnce(
      input,
      {
        action: 'power_cycle_router',
        params: POWER_CYCLE,
        diagnosis:
          'Your router has stopped answering: devices on your network cannot get through it.',
        rationale:
          'The link is up and the support box has a valid address, but the router does not answer on the local network; a hung router usually recovers after a restart.',
      },
      'gateway',
      {
        instructions:
          'Restarting the router did not bring it back. Check that it has power and its lights look normal; a technician will contact you, and the router may need replacing.',
        rationale: 'The router was already power-cycled in this case and still does not answer.',
      },
    );
  }

  const targets = internet.data.targets;
  if (targets.length > 0 && targets.every((t) => t.lossPct >= 100)) {
    return internetDownAdvice(input, r);
  }
  if (targets.some((t) => t.lossPct >= LOSS_THRESHOLD_PCT)) {
    const worst = Math.max(...targets.map((t) => t.lossPct));
    const local = gateway.data.lossPct >= LOSS_THRESHOLD_PCT;
    return escalate(
      'packet-loss',
      'Your internet connection works but is unreliable: part of the traffic gets lost on the way, which makes calls choppy and pages slow.',
      local
        ? 'The losses start inside your own network, between the support box and your router. A technician will contact you to check cables, the switch and the router.'
        : `Please contact your internet provider and report packet loss of up to ${worst}% on your line while your own network shows none; ask them to test the line. We have the measurements if they need them.`,
      local
        ? `Up to ${worst}% loss to internet targets and ${gateway.data.lossPct}% to the router: the problem starts on the local network.`
        : `Up to ${worst}% loss to internet targets while the router answers without loss: the problem is on the line, beyond your network.`,
    );
  }

  if (!dns.data.configured.ok && dns.data.reference.ok) {
    const atRouter = routerDnsAdvice(input, r);
    if (atRouter) return atRouter;
    return fixOnce(
      input,
      {
        action: 'switch_dns_fallback',
        params: { resolver: dns.data.reference.server },
        diagnosis:
          "Your internet works, but the address-lookup service (DNS) your network uses is not answering, so websites don't open.",
        rationale:
          "Internet addresses answer and a public DNS resolver works, but the configured resolver does not: switching the Zen box to the working resolver fixes its own name lookups; the office's computers keep the router's resolver until the router is changed.",
      },
      'dns',
      {
        instructions:
          'Switching to a backup DNS service did not help. A technician will contact you to check the DNS settings of your router.',
        rationale: 'The fallback resolver was already set in this case and lookups still fail.',
      },
    );
  }
  if (!dns.data.configured.ok && !dns.data.reference.ok) {
    // Pings pass, yet no resolver answers: a filter on DNS, or a second device answering
    // for the router and taking part of the traffic. The address conflict is measured first.
    if (!r.ip_conflict && input.round < input.maxRounds) {
      return moreChecks(
        input,
        ['ip_conflict', 'dns_integrity'],
        'Internet addresses answer, but neither the configured nor a public resolver does: a second device answering for the router, or a filter on DNS, is measured before handing over.',
      );
    }
    const cause = longTailAdvice(r, input);
    if (cause) return cause;
    return escalate(
      'dns',
      "Your internet connection works, but web addresses can't be looked up, so websites don't open.",
      'A technician will contact you to check the DNS settings of your router and any firewall that may block them.',
      'Internet addresses answer, but neither the configured nor a public DNS resolver resolves names: something is blocking or breaking DNS.',
    );
  }

  const longTail = longTailAdvice(r, input);
  if (longTail) return longTail;

  const failing = [
    ...Object.values(r)
      .filter((result) => !result.ok)
      .map((result) => result.check),
    ...outOfRange(r),
  ];
  if (failing.length > 0) {
    return escalate(
      'unknown',
      'Your connection looks fine in the basic checks, but some measurements are not normal.',
      'A technician will look at the results and contact you.',
      `The basic checks pass, but these measurements show a fault that the automatic rules do not cover: ${failing.join(', ')}.`,
    );
  }

  if (officeUnverified(input)) {
    // What the office's DHCP hands every device tells whether the office works too; a
    // line that failed over to LTE is the provider's, which DHCP says nothing about.
    const onLte = input.actionsTaken.some((a) => a === 'failover_lte' || a === 'failback_wan');
    if (!r.dhcp_servers && !onLte && input.round < input.maxRounds) {
      return moreChecks(
        input,
        ['dhcp_servers'],
        `${input.actionsTaken.join(', ')} changed only the Zen box's own settings and its checks pass now; what the office's DHCP hands every other device, and whether that works, shows whether the office works too.`,
      );
    }
    return officeHandOver(input, r);
  }

  const suspicion = worthChecking(input.description, r, input.results);
  if (suspicion) return moreChecks(input, suspicion.checks, suspicion.rationale);
  const elsewhere = describesSlowness(input.description) ? slownessElsewhere(r) : undefined;
  if (elsewhere) return elsewhere;

  return {
    kind: 'healthy',
    diagnosis: 'Your network and internet connection are working normally.',
    rationale:
      'The link is up, the address is valid, the router and internet answer without loss, and names resolve.',
  };
}

function dhcpAdvice(input: AdvisorInput, dhcp: ResultOf<'dhcp'> | undefined): Advice {
  if (!dhcp) {
    return moreChecks(
      input,
      ['dhcp'],
      'The support box has no valid address from the router; a DHCP test shows whether the router hands out addresses.',
    );
  }
  if (dhcp.data.offerReceived) {
    return fixOnce(
      input,
      {
        action: 'renew_dhcp_lease',
        params: { interface: 'eth0' },
        diagnosis:
          'The support box lost its network address, though the router is ready to give it a new one.',
        rationale:
          'No valid lease, but a DHCP server offers an address: asking for a new lease should fix it.',
      },
      'dhcp',
      {
        instructions:
          "Asking for a new address did not help. A technician will contact you to check the router's address settings.",
        rationale:
          'The lease was already renewed in this case and the box still has no valid address.',
      },
    );
  }
  if (dhcp.data.serverReachable) {
    return escalate(
      'dhcp',
      'Your router has run out of network addresses to hand out, so new or restarted devices cannot connect.',
      "Someone with access to the router's settings needs to enlarge its address range (DHCP pool) or clear old address reservations of devices that are gone. A technician can do this with you.",
      'The DHCP server answers but sends no offer: its address pool is full. Enlarging the pool is a router setting, not something the support box may change.',
    );
  }
  return escalate(
    'dhcp',
    'Nothing on your network is handing out addresses, so devices cannot join it.',
    "The router's DHCP server seems to be switched off. Someone with access to the router's settings needs to turn it back on; a technician can do this with you.",
    'The link is up but no DHCP server answers and the box has no valid address.',
  );
}

function internetDownAdvice(input: AdvisorInput, r: Latest): Advice {
  const modem = r.modem;
  if (!modem || !r.router_api) {
    const missing = (['modem', 'traceroute', 'router_api'] as const).filter((check) => !r[check]);
    return moreChecks(
      input,
      [...missing],
      "The router works but nothing on the internet answers: the modem, the path out and the router's own word on its WAN tell the router's uplink, the modem and the provider apart.",
    );
  }
  const wan = routerWanAdvice(input, r);
  if (wan) return wan;
  if (!modem.data.reachable) {
    return fixOnce(
      input,
      {
        action: 'power_cycle_modem',
        params: POWER_CYCLE,
        diagnosis:
          'Your internet modem has stopped responding, so nothing gets out to the internet.',
        rationale:
          "The router answers but the modem's management address does not and all internet targets are lost: a hung modem usually recovers after a restart.",
      },
      'modem',
      {
        instructions:
          'Restarting the modem did not bring it back. Check that it has power and note which lights are on; a technician will contact you, and your provider may need to replace it.',
        rationale: 'The modem was already power-cycled in this case and still does not answer.',
      },
    );
  }
  const lockNote =
    modem.data.upstreamLocked === false
      ? 'the modem reports no signal from the provider'
      : 'the modem answers but traffic stops beyond it';
  return escalate(
    'isp',
    "Your own equipment is working, but nothing gets through your internet provider's line: this looks like an outage on their side.",
    'Please call your internet provider, report an outage on your line and ask for an outage or ticket reference number; we will note it on this case. Restarting your equipment will not help.',
    `The router and the modem answer, but every internet target is lost and ${lockNote}: the fault is on the provider's side.`,
  );
}

/**
 * The box works again after a fix of its own settings, but the fault was the
 * office's: the real fix is on the router or the line, so a person takes over
 * with the steps that fix it for every device.
 */
function officeHandOver(input: AdvisorInput, r: Latest): Advice {
  const last = input.actionsTaken[input.actionsTaken.length - 1]!;
  const router = r.gateway?.data.address ?? r.ip_config?.data.gateway ?? 'the router';
  const rationale = `${last} changed only the Zen box's own settings and its checks pass now, but the fault was in what the office's network gives every device, and no check measured what the other devices get.`;
  if (last === 'switch_dns_fallback' || last === 'flush_dns') {
    const resolver = r.dns?.data.reference.server ?? "your provider's DNS server";
    return customerCanDo(
      escalate(
        'dns',
        'The DNS service your router hands out to every device does not answer. The Zen box now uses a working one, but the computers in your office still get the broken one.',
        routerDnsSteps(
          router,
          resolver,
          `the resolver the router's DHCP hands out did not answer while ${resolver} did; the box itself uses ${resolver} since ${last} (zen-agent restore-dns undoes it once the router is fixed).`,
        ),
        rationale,
      ),
      'Give the office a working DNS server',
    );
  }
  if (last === 'failover_lte' || last === 'failback_wan') {
    return escalate(
      'isp',
      "The Zen box reaches us over its own LTE link, but your office's internet line still does not work.",
      'Please call your internet provider, report that your line is down and ask for a ticket reference; we will note it on this case. A technician will call you.',
      rationale,
    );
  }
  return customerCanDo(
    escalate(
      'dhcp',
      "The Zen box has a network address again, but your router's address service (DHCP) is what failed, and the other devices depend on it too.",
      [
        '1. Restart the router: unplug it, wait ten seconds, plug it back in, and wait two minutes.',
        '2. Restart one computer and check that it opens a website.',
        `A technician will call you to check the router's DHCP settings (at ${router}) with you.`,
      ].join('\n'),
      rationale,
    ),
    'Restart the router',
  );
}
