import type { Measured as MeasuredCheck } from '../linux/checks';

// The simulated router's OpenWrt API as the router_api check sees it: its WAN
// and what its DHCP hands out. SimulatedNetwork (network.ts) calls it.

type Measured = MeasuredCheck<'router_api'>;

export interface RouterState {
  /** The scenario gives the box a login for the router's API. */
  login: boolean;
  routerUp: boolean;
  wanDown: boolean;
  dhcpGateway: string;
  dhcpDns: readonly string[];
  lan: { router: string; routerWan: string; routerModel: string; routerRelease: string };
}

export function routerApi(state: RouterState): Measured {
  const { lan } = state;
  if (!state.login) return { ok: true, data: { configured: false, reachable: false } };
  const base = { configured: true, kind: 'openwrt' as const };
  if (!state.routerUp) {
    return { ok: false, data: { ...base, reachable: false, problem: 'unreachable' as const } };
  }
  const wan = state.wanDown
    ? { up: false }
    : { up: true, address: lan.routerWan, uptimeSeconds: 86_400 };
  const data = {
    ...base,
    reachable: true,
    model: lan.routerModel,
    release: lan.routerRelease,
    lanAddress: lan.router,
    wan,
    dhcp: {
      gateway: state.dhcpGateway,
      gatewaySet: state.dhcpGateway !== lan.router,
      dnsServers: [...state.dhcpDns],
      dnsSet: state.dhcpDns.join() !== lan.router,
    },
  };
  return { ok: wan.up, data };
}
