import { checkThresholds, type CheckName, type CheckResult } from '../../contracts/diagnostics';
import { conflictFindings } from '../linux/checks/ipConflict';
import type { Fault } from './scenarios';

// The simulated office LAN as the LAN checks see it (ip_conflict, ipv6,
// lan_inventory, wifi): what the router, the other devices and the radio
// answer, from the scenario's fault. SimulatedNetwork (network.ts) calls these.

type Measured<K extends CheckName> = {
  ok: boolean;
  data: Extract<CheckResult, { check: K }>['data'];
};

/** What the model needs of the network's state. */
export interface LanState {
  fault: Fault;
  linkUp: boolean;
  addressed: boolean;
  routerUp: boolean;
  wanUp: boolean;
  pi: string;
  router: string;
}

const macs = {
  router: '3c:22:fb:10:01:01',
  /** A network printer someone set by hand to the box's address. */
  conflicting: '00:1b:a9:42:17:0c',
  /** A laptop answering for the router's address. */
  impostor: 'a4:83:e7:5d:20:9e',
};
const answer = (mac: string, replies: number) => ({ mac, oui: mac.slice(0, 8), replies });

export function ipConflict(s: LanState): Measured<'ip_conflict'> {
  const address = s.addressed ? s.pi : undefined;
  const duplicates = address && s.fault.addressConflict ? [answer(macs.conflicting, 1)] : [];
  const probes = checkThresholds.gatewayArpSeconds + 1;
  const answers = !s.routerUp
    ? []
    : s.fault.gatewayImpostor
      ? [answer(macs.router, probes), answer(macs.impostor, probes)]
      : [answer(macs.router, probes)];
  const gateway = s.addressed
    ? { address: s.router, probes, answers, cachedMac: macs.router }
    : undefined;
  const findings = conflictFindings(duplicates, gateway);
  return {
    ok: findings.length === 0,
    data: { interface: 'eth0', address, duplicates, gateway, findings },
  };
}
