import { runOrThrow } from '../linux/exec';
import { ipv4Addresses, linkState } from '../linux/iproute';

// The box's own traffic to the cloud over LTE, and nothing else: a policy rule
// sends what leaves from the LTE address through a routing table of its own,
// whose default route is the carrier. The main table (the office's default route,
// which the checks measure) is never touched; moving the business's own traffic
// to LTE stays the approved failover_lte fix.

/** The routing table and rule priority the agent owns (an arbitrary number, documented). */
export const lteTable = 1742;

export interface LteRoute {
  iface: string;
  /** The carrier's gateway; point-to-point links (raw-IP wwan) have none. */
  gateway?: string;
}

/** The LTE interface's usable IPv4 address, or why there is none. */
export async function lteAddress(iface: string): Promise<{ address?: string; why?: string }> {
  const link = await linkState(iface).catch(() => undefined);
  if (!link) return { why: `there is no interface ${iface}` };
  if (!link.up) return { why: `${iface} has no carrier` };
  const address = (await ipv4Addresses(iface)).find((a) => !a.linkLocal)?.address;
  return address ? { address } : { why: `${iface} has no address from the carrier` };
}

/** Routes traffic from `address` through the LTE table; idempotent, replaces a stale address's rule. */
export async function routeFromLte(route: LteRoute, address: string): Promise<void> {
  const rules = JSON.parse((await runOrThrow('ip', ['-j', '-4', 'rule', 'show'])) || '[]') as {
    priority?: number;
    src?: string;
  }[];
  const ours = rules.filter((r) => r.priority === lteTable);
  if (!(ours.length === 1 && ours[0]!.src === address)) {
    for (let i = 0; i < ours.length; i++) {
      await runOrThrow('ip', ['-4', 'rule', 'del', 'priority', String(lteTable)]);
    }
    await runOrThrow('ip', [
      ...['-4', 'rule', 'add', 'from', `${address}/32`],
      ...['lookup', String(lteTable), 'priority', String(lteTable)],
    ]);
  }
  await runOrThrow('ip', [
    ...['-4', 'route', 'replace', 'default'],
    ...(route.gateway ? ['via', route.gateway] : []),
    ...['dev', route.iface, 'table', String(lteTable)],
  ]);
}
