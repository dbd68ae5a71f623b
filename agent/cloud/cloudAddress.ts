import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LookupFunction } from 'node:net';

// Finding the cloud's address when the office's DNS may be the very thing that
// is broken. In order: the office's resolvers (only on the wired path), the
// carrier's resolver over LTE, then the last address that worked, kept on disk.
// An answer from any of them is only a hint: TLS verification decides whether the
// server there is the cloud.

export interface ResolverSource {
  name: string;
  servers: () => string[];
  /** Queries leave from this address (the LTE address routes them over LTE). */
  localAddress?: () => string | undefined;
}

export interface CloudAddressOptions {
  /** Where the last good answer is kept across restarts. */
  stateDir: string;
  timeoutMs?: number;
  log: (line: string) => void;
}

interface Remembered {
  hostname: string;
  addresses: string[];
}

export function createCloudAddressBook({ stateDir, timeoutMs = 2500, log }: CloudAddressOptions) {
  const file = path.join(stateDir, 'cloud-address.json');
  const remembered = (hostname: string): string[] => {
    try {
      const kept = JSON.parse(readFileSync(file, 'utf8')) as Remembered;
      return kept.hostname === hostname ? kept.addresses.filter((a) => isIP(a) === 4) : [];
    } catch {
      return [];
    }
  };
  const remember = (hostname: string, addresses: string[]) => {
    try {
      writeFileSync(file, JSON.stringify({ hostname, addresses } satisfies Remembered));
    } catch (err) {
      log(`cannot keep the cloud's address: ${(err as Error).message}`);
    }
  };

  async function ask(source: ResolverSource, hostname: string): Promise<string[]> {
    const servers = source.servers();
    if (servers.length === 0) return [];
    const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
    resolver.setServers(servers);
    const local = source.localAddress?.();
    if (source.localAddress && !local) return [];
    if (local) resolver.setLocalAddress(local);
    return resolver.resolve4(hostname).catch(() => []);
  }

  /** The cloud's IPv4 addresses through the given sources, falling back to the last good ones. */
  async function resolve(hostname: string, sources: ResolverSource[]): Promise<string[]> {
    if (isIP(hostname)) return [hostname];
    for (const source of sources) {
      const addresses = await ask(source, hostname);
      if (addresses.length > 0) {
        remember(hostname, addresses);
        return addresses;
      }
    }
    const kept = remembered(hostname);
    if (kept.length > 0) {
      log(`no resolver answered for ${hostname}; using its last good address ${kept[0]}`);
      return kept;
    }
    throw Object.assign(new Error(`cannot resolve ${hostname}: no resolver answered`), {
      code: 'ENOTFOUND',
    });
  }

  /** A `lookup` for net/tls connections that resolves through `sources()` at each connect. */
  function lookup(sources: () => ResolverSource[]): LookupFunction {
    return (hostname, options, callback) => {
      resolve(hostname, sources()).then(
        (addresses) => {
          if (options.all)
            callback(
              null,
              addresses.map((address) => ({ address, family: 4 })),
            );
          else callback(null, addresses[0]!, 4);
        },
        (err: NodeJS.ErrnoException) => callback(err, '', 4),
      );
    };
  }

  return { resolve, lookup };
}
export type CloudAddressBook = ReturnType<typeof createCloudAddressBook>;
