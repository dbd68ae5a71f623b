import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { nameservers } from '../resolvConf';

// Names the newer checks connect to are looked up as the office's computers
// would: through the first resolver of the configured resolv.conf.

export type DnsOutcome =
  'answered' | 'nxdomain' | 'no-data' | 'servfail' | 'refused' | 'timeout' | 'error';

export interface DnsAnswer {
  outcome: DnsOutcome;
  addresses: string[];
  ms?: number;
}

/** What a resolver's error code says about the name (anything else: 'error'). */
export const outcomeOfCode: Record<string, DnsOutcome> = {
  ENOTFOUND: 'nxdomain',
  ENODATA: 'no-data',
  ESERVFAIL: 'servfail',
  EREFUSED: 'refused',
  ETIMEOUT: 'timeout',
};

/** One A lookup through `server`, timed; the outcome says how it failed. */
export async function askResolver(
  server: string,
  name: string,
  { timeoutMs = 2000, tries = 2 } = {},
): Promise<DnsAnswer> {
  const resolver = new Resolver({ timeout: timeoutMs, tries });
  resolver.setServers([server]);
  const started = performance.now();
  try {
    const addresses = (await resolver.resolve4(name)).slice(0, 16);
    const ms = Math.round((performance.now() - started) * 10) / 10;
    return { outcome: addresses.length > 0 ? 'answered' : 'no-data', addresses, ms };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    return { outcome: outcomeOfCode[code] ?? 'error', addresses: [] };
  }
}

/** An IPv4 address for `host`: itself when it is one, else through the configured resolver. */
export async function addressOf(host: string, resolvConfPath: string): Promise<string | undefined> {
  if (isIP(host) === 4) return host;
  const [server] = nameservers(resolvConfPath);
  if (!server) return undefined;
  return (await askResolver(server, host)).addresses[0];
}
