import type { Advice, AdvisorInput } from '../../contracts/advice';
import type { CheckName } from '../../contracts/diagnostics';
import { escalate, fixOnce, routerDnsSteps } from './answers';
import { onlyDhcpServer, routerApiWorks, type Latest } from './guard';

// Faults in the router's own settings and uplink, and the fixes on the router
// itself when the box has a login for its API (router_api). Where the
// evidence points at what the router's DHCP hands out or at its WAN, these
// rules first measure both the offer (dhcp_servers) and the router's own view
// (router_api); with a working API the router is fixed for every device, and
// without one the customer gets the router's steps. Only typed values reach
// the words (addresses, numbers), never the router's model or release.

type Answer = Advice | undefined;

/** More checks while rounds remain; undefined when none is missing or no round is left. */
function measure(input: AdvisorInput, r: Latest, checks: CheckName[], why: string): Answer {
  const missing = checks.filter((check) => !r[check]);
  if (missing.length === 0 || input.round >= input.maxRounds) return undefined;
  return { kind: 'more_checks', checks: missing, rationale: why };
}

/** For the technician: why the box could not use the router's API, when it has a login. */
function apiNote(r: Latest): string {
  const api = r.router_api?.data;
  if (!api?.configured) return "The box has no login for the router's API.";
  if (api.problem) return `The box's login to the router's API failed (${api.problem}).`;
  return '';
}

const reconnect =
  'Computers pick up the new setting when they reconnect to the network or restart (or by themselves within the hour).';

/** The router's steps to hand out itself as the gateway, then the technician's note. */
export function routerGatewaySteps(router: string, forTechnician: string): string {
  return [
    `1. On a computer in the office, open the router's settings page (usually http://${router}; the password is often on a sticker on the router).`,
    `2. In the DHCP (or LAN) settings, check that the gateway (router) handed out is the router's own address, ${router}, then save.`,
    '3. Restart the router: unplug it, wait ten seconds, plug it back in, and wait two minutes.',
    '4. Restart each computer, or reconnect it to the network, so it picks up the new setting.',
    'A technician will call you to do this with you.',
    `For the technician: ${forTechnician}`,
  ].join('\n');
}

/**
 * The box's resolver fails where the reference answers: when the router's DHCP hands out
 * the silent resolver and the router's API works, the router is changed for every device.
 * Undefined: the box's own fallback comes next (offline.ts).
 */
export function routerDnsAdvice(input: AdvisorInput, r: Latest): Answer {
  const asked = measure(
    input,
    r,
    ['dhcp_servers', 'router_api'],
    "The configured resolver fails where a public one answers: what the router's DHCP hands out (dhcp_servers) and the router's own view (router_api) tell whether every device gets the silent resolver and whether the router itself can be changed.",
  );
  if (asked) return asked;
  const only = onlyDhcpServer(r);
  const silent = only?.dnsServers.filter((d) => !d.answers).map((d) => d.address) ?? [];
  const reference = r.dns?.data.reference;
  if (!only || silent.length === 0 || !reference?.ok || !routerApiWorks(r)) return undefined;
  const router = r.router_api!.data.lanAddress ?? only.serverId;
  return fixOnce(
    input,
    {
      action: 'router_set_dhcp_dns',
      params: { servers: [reference.server] },
      diagnosis: `Your router hands every device a name server (DNS) that does not answer, so websites do not open. The router can be set to hand out a working one (${reference.server}). ${reconnect}`,
      rationale: `dhcp_servers: the only DHCP server, ${only.serverId}, hands out ${silent.join(', ')}, which did not answer, while ${reference.server} did; router_api answers, so the router's DHCP setting can be changed for every device (safe apply, confirmed from the LAN).`,
    },
    'dns',
    {
      instructions: routerDnsSteps(
        router,
        reference.server,
        `router_set_dhcp_dns was carried out and the DHCP offer still hands out ${silent.join(', ')}; check the router's DHCP and DNS settings by hand (zen-agent router-undo restores the setting from before).`,
      ),
      rationale:
        'The router was already set to hand out a working resolver in this case, and the offer still names a silent one.',
    },
  );
}

/**
 * The box's gateway does not answer: before a power cycle, the offer tells a hung router
 * (no DHCP server answers) from one whose DHCP hands out a gateway that is not itself.
 * Undefined: a hung router, the power cycle comes next (offline.ts).
 */
export function routerGatewayAdvice(input: AdvisorInput, r: Latest): Answer {
  const asked = measure(
    input,
    r,
    ['dhcp_servers', 'router_api'],
    "The box's gateway does not answer: whether the router's DHCP still answers, and which gateway it hands out, tells a hung router from a wrong setting before anything is restarted.",
  );
  if (asked) return asked;
  const only = onlyDhcpServer(r);
  const handedOut = only?.gateway;
  // A DHCP server that answers while the gateway it names is silent: that gateway is not itself.
  if (!only || !handedOut || handedOut.answers || handedOut.address === only.serverId) {
    return undefined;
  }
  return wrongGateway(input, r, only.serverId, handedOut.address);
}

function wrongGateway(input: AdvisorInput, r: Latest, server: string, gateway: string): Advice {
  const router = r.router_api?.data.lanAddress ?? server;
  const note = `the only DHCP server, ${server}, hands out the gateway ${gateway}, which does not answer.`;
  if (!routerApiWorks(r) || !r.router_api?.data.lanAddress) {
    return escalate(
      'gateway',
      'Your router hands every device a gateway address that does not answer, so computers that renewed their address reach nothing beyond your network.',
      routerGatewaySteps(router, `${note} ${apiNote(r)}`),
      `${note} A router setting: the box cannot change it without a working login to the router's API.`,
    );
  }
  return fixOnce(
    input,
    {
      action: 'router_set_dhcp_gateway',
      params: { gateway: router },
      diagnosis: `Your router hands every device a gateway address (${gateway}) that does not answer, so computers that renewed their address reach nothing beyond your network. The router can be set to hand out itself (${router}) again. ${reconnect}`,
      rationale: `dhcp_servers: ${note} router_api answers at ${router}, the router's own LAN address: its DHCP setting can be changed for every device (safe apply, confirmed from the LAN).`,
    },
    'gateway',
    {
      instructions: routerGatewaySteps(
        router,
        `router_set_dhcp_gateway was carried out and ${note} Check the router's DHCP settings by hand (zen-agent router-undo restores the setting from before).`,
      ),
      rationale:
        'The router was already set to hand out itself as the gateway in this case, and the offer still names a silent one.',
    },
  );
}

/**
 * Nothing beyond the router answers: the router's own word on its WAN tells its dropped
 * uplink from a hung modem and an outage. Undefined: the modem's and the line's rules.
 */
export function routerWanAdvice(input: AdvisorInput, r: Latest): Answer {
  const api = r.router_api?.data;
  if (!routerApiWorks(r) || api?.wan?.up !== false) return undefined;
  return fixOnce(
    input,
    {
      action: 'router_restart_wan',
      params: {},
      diagnosis:
        "Your router has lost its connection to your internet provider, though it works inside your office. Restarting the router's internet connection usually brings it back.",
      rationale:
        "The router answers on the LAN and its own API says its WAN interface is down (no address), so nothing gets out and the modem's management address is out of reach behind it: a hung provider session that a WAN restart re-establishes.",
    },
    'isp',
    {
      instructions: [
        "1. Check that the cable between the router's internet (WAN) port and the modem is plugged in at both ends.",
        '2. Restart the modem, then the router: unplug each, wait ten seconds, plug it back in, and wait two minutes.',
        '3. If the internet is still down, call your internet provider, report that your router gets no connection from them and ask for a ticket reference; we will note it on this case.',
        'A technician will call you.',
        `For the technician: router_api reports the WAN interface down after router_restart_wan; the router's LAN address is ${api.lanAddress ?? 'unknown'}. Check the WAN protocol settings (DHCP or PPPoE credentials) and the modem.`,
      ].join('\n'),
      rationale: "The router's WAN was already restarted in this case and is still down.",
    },
  );
}

/**
 * The long-tail form: the box itself still works on an old lease, but the offer every
 * device gets now hands out a silent gateway or resolver (the customer's words led here).
 */
export function routerSettingsRule(r: Latest, input: AdvisorInput): Answer {
  const only = r.dhcp_servers && !r.dhcp_servers.ok ? onlyDhcpServer(r) : undefined;
  if (!only) return undefined;
  const gatewaySilent =
    only.gateway !== undefined && !only.gateway.answers && only.gateway.address !== only.serverId;
  const silentDns = only.dnsServers.filter((d) => !d.answers);
  if (!gatewaySilent && silentDns.length === 0) return undefined;
  const asked = measure(
    input,
    r,
    ['router_api'],
    "The router's DHCP hands out a setting that does not work: the router's own view (router_api) tells whether the box can change it.",
  );
  if (asked) return asked;
  if (gatewaySilent) {
    if (input.actionsTaken.includes('router_set_dhcp_gateway')) return undefined;
    return wrongGateway(input, r, only.serverId, only.gateway!.address);
  }
  const reference = r.dns?.data.reference;
  if (!routerApiWorks(r) || !reference?.ok) return undefined;
  if (input.actionsTaken.includes('router_set_dhcp_dns')) return undefined;
  return routerDnsAdvice(input, r);
}
