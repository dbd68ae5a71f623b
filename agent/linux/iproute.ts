import { readFile } from 'node:fs/promises';
import { runOrThrow } from './exec';

// What iproute2 (`ip -j`) says about one interface.

export interface LinkState {
  up: boolean;
  speedMbps?: number;
}

export interface Ipv4Address {
  address: string;
  prefixLength: number;
  /** False for an address without a lifetime (static, or self-assigned). */
  leased: boolean;
  linkLocal: boolean;
}

const ip = async (args: string[]) => JSON.parse((await runOrThrow('ip', ['-j', ...args])) || '[]');

export async function linkState(iface: string): Promise<LinkState> {
  const [link] = (await ip(['link', 'show', 'dev', iface])) as { flags?: string[] }[];
  if (!link) throw new Error(`No interface ${iface}`);
  const flags = link.flags ?? [];
  const up = flags.includes('UP') && flags.includes('LOWER_UP');
  // sysfs has the negotiated speed only while there is a carrier.
  const speed = up
    ? Number(await readFile(`/sys/class/net/${iface}/speed`, 'utf8').catch(() => ''))
    : NaN;
  return { up, speedMbps: speed > 0 ? speed : undefined };
}

export async function ipv4Addresses(iface: string): Promise<Ipv4Address[]> {
  const [entry] = (await ip(['-4', 'addr', 'show', 'dev', iface])) as {
    addr_info?: { local: string; prefixlen: number; valid_life_time?: number }[];
  }[];
  return (entry?.addr_info ?? []).map((a) => ({
    address: a.local,
    prefixLength: a.prefixlen,
    // 4294967295 is "forever": no lease behind the address.
    leased: a.valid_life_time !== undefined && a.valid_life_time < 4294967295,
    linkLocal: a.local.startsWith('169.254.'),
  }));
}

/** The gateway of the interface's default route, if it has one. */
export async function defaultGateway(iface: string): Promise<string | undefined> {
  const routes = (await ip(['-4', 'route', 'show', 'default', 'dev', iface])) as {
    gateway?: string;
  }[];
  return routes.find((r) => r.gateway)?.gateway;
}

/** The kernel's ARP entry state for an address ("REACHABLE", "FAILED", ...). */
export async function neighbourState(iface: string, address: string): Promise<string[]> {
  const entries = (await ip(['neigh', 'show', 'to', address, 'dev', iface])) as {
    state?: string[];
  }[];
  return entries.flatMap((e) => e.state ?? []);
}

export async function forgetNeighbour(iface: string, address: string): Promise<void> {
  await runOrThrow('ip', ['neigh', 'flush', 'to', address, 'dev', iface]);
}
