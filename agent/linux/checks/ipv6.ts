import { Resolver } from 'node:dns/promises';
import type { AgentConfig } from '../../config';
import type { Measured } from '../checks';
import { runOrThrow } from '../exec';
import { ping } from '../ping';
import { nameservers } from '../resolvConf';
import { outcomeOfCode } from './resolve';

// Does the office's IPv6 lead anywhere? A router that advertises IPv6 (a
// default route and a global prefix from a router advertisement) makes every
// computer prefer it for names with an AAAA record; when the line then drops
// IPv6 (a classic after a change of provider or modem), apps stall until they
// fall back to IPv4, or never load. Read from iproute2 (`ip -6 route`,
// `ip -6 addr`), then `ping` to IPv6 targets and an AAAA lookup. An office
// without IPv6 at all is fine: apps use IPv4.

type Data = Measured<'ipv6'>['data'];
type Finding = Data['findings'][number];

const LOSS_THRESHOLD_PCT = 5;

/** The eight 16-bit groups of an IPv6 address. */
export function ipv6Groups(address: string): number[] {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = part(head);
  const right = part(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

/** The address written the short way (RFC 5952: the longest run of zero groups as "::"). */
export function formatIpv6(groups: number[]): string {
  let best = { at: -1, length: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i > 1) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}

/** The network an address lies in, as "prefix/length". */
export function prefixOf(address: string, length: number): string {
  const groups = ipv6Groups(address).map((g, i) => {
    const bits = Math.max(0, Math.min(16, length - i * 16));
    return bits === 0 ? 0 : g & (0xffff << (16 - bits)) & 0xffff;
  });
  return `${formatIpv6(groups)}/${length}`;
}

/** An interface identifier made from a MAC (modified EUI-64: ff:fe in its middle). */
export function isEui64(address: string): boolean {
  const groups = ipv6Groups(address);
  return (groups[5]! & 0xff) === 0xff && groups[6]! >> 8 === 0xfe;
}

interface AddrInfo {
  family?: string;
  local: string;
  prefixlen: number;
  scope?: string;
  tentative?: boolean;
  dadfailed?: boolean;
  valid_life_time?: number;
}
interface Route {
  dst: string;
  gateway?: string;
  protocol?: string;
  expires?: number;
}

/** What `ip -j -6 addr` and `ip -j -6 route` say: the advertised router and the box's global prefixes. */
export function ipv6State(
  addrs: { addr_info?: AddrInfo[] }[],
  routes: Route[],
): Pick<Data, 'offered' | 'router' | 'prefixes'> {
  const global = addrs
    .flatMap((a) => a.addr_info ?? [])
    .filter((a) => a.scope === 'global' && !a.tentative && !a.dadfailed);
  // The on-link route of an advertised prefix: `proto ra`, or `proto kernel` with the
  // advertisement's lifetime (a static prefix's route has none).
  const announced = routes.filter(
    (r) =>
      r.dst !== 'default' &&
      !r.dst.startsWith('fe80:') &&
      (r.protocol === 'ra' || r.expires !== undefined),
  );
  const byPrefix = new Map<string, Data['prefixes'][number]>();
  for (const a of global) {
    const prefix = prefixOf(a.local, a.prefixlen);
    const known = byPrefix.get(prefix);
    const valid = a.valid_life_time !== undefined && a.valid_life_time < 4294967295;
    byPrefix.set(prefix, {
      prefix,
      announced: false,
      addresses: (known?.addresses ?? 0) + 1,
      ...(valid ? { validLifetimeS: a.valid_life_time } : {}),
    });
  }
  for (const r of announced) {
    const [address, length] = r.dst.split('/');
    const prefix = prefixOf(address!, Number(length ?? 128));
    const known = byPrefix.get(prefix);
    byPrefix.set(prefix, { ...(known ?? { prefix, addresses: 0 }), announced: true });
  }
  const fromRa = routes.find((r) => r.dst === 'default' && r.protocol === 'ra' && r.gateway);
  const router = fromRa
    ? {
        ...(isEui64(fromRa.gateway!) ? {} : { address: fromRa.gateway }),
        ...(fromRa.expires !== undefined ? { lifetimeS: Math.round(fromRa.expires) } : {}),
      }
    : undefined;
  const anyDefault = routes.some((r) => r.dst === 'default');
  const prefixes = [...byPrefix.values()].slice(0, 8);
  return { offered: anyDefault && prefixes.some((p) => p.addresses > 0), router, prefixes };
}

export function ipv6Findings(offered: boolean, targets: Data['targets']): Finding[] {
  if (!offered || targets.length === 0) return [];
  if (targets.every((t) => t.lossPct >= 100)) return ['unreachable'];
  if (targets.some((t) => t.lossPct >= LOSS_THRESHOLD_PCT)) return ['lossy'];
  return [];
}

async function lookUpAaaa(server: string | undefined, name: string): Promise<Data['dns']> {
  if (!server) return { name, outcome: 'error', addresses: [] };
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([server]);
  try {
    const addresses = (await resolver.resolve6(name)).slice(0, 8);
    return { name, outcome: addresses.length > 0 ? 'answered' : 'no-data', addresses };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    return { name, outcome: outcomeOfCode[code] ?? 'error', addresses: [] };
  }
}

const ip = async (args: string[]) => JSON.parse((await runOrThrow('ip', ['-j', ...args])) || '[]');

export async function ipv6(config: AgentConfig): Promise<Measured<'ipv6'>> {
  const iface = config.interface;
  const [addrs, routes] = await Promise.all([
    ip(['-6', 'addr', 'show', 'dev', iface]),
    ip(['-6', 'route', 'show', 'dev', iface]),
  ]);
  const state = ipv6State(addrs, routes);
  const [targets, dns] = await Promise.all([
    // Without a route there is nothing to measure: apps do not try IPv6 either.
    state.offered
      ? Promise.all(
          config.ipv6Targets.map(async (host) => {
            const r = await ping(host, { count: 5 });
            return { host, sent: r.sent, lossPct: r.lossPct, avgMs: r.avgMs };
          }),
        )
      : Promise.resolve([]),
    lookUpAaaa(nameservers(config.resolvConfPath)[0], config.dnsTestName),
  ]);
  const findings = ipv6Findings(state.offered, targets);
  const data = { interface: iface, ...state, targets, dns, findings };
  return { ok: findings.length === 0, data };
}
