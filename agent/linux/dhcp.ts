import path from 'node:path';
import { run } from './exec';

// DHCP through busybox udhcpc and the agent's own hook script, so a lease
// changes only the one interface and the configured resolv.conf.

const hook = path.join(__dirname, 'udhcpc-hook.sh');

export interface DhcpAttempt {
  leased: boolean;
  server?: string;
  address?: string;
}

async function udhcpc(iface: string, env: NodeJS.ProcessEnv, tries: number): Promise<DhcpAttempt> {
  // -f foreground, -q quit once leased, -n give up after the tries, one second apart.
  const args = ['-f', '-q', '-n', '-i', iface, '-t', String(tries), '-T', '1', '-A', '1'];
  const out = await run('udhcpc', [...args, '-s', hook], {
    timeoutMs: (tries * 2 + 5) * 1000,
    env: { ...process.env, ...env },
  });
  // The hook prints "offer server=… address=…" (probe) or "bound <address>/<bits> … server=…".
  return {
    leased: out.code === 0 && /^(offer|bound) /m.test(out.stdout),
    server: /server=(\d+\.\d+\.\d+\.\d+)/.exec(out.stdout)?.[1],
    address: /(?:address=|bound )(\d+\.\d+\.\d+\.\d+)/.exec(out.stdout)?.[1],
  };
}

/**
 * Asks the LAN's DHCP server for an address and applies nothing: the check's
 * view of whether a server is there and has an address to give.
 */
export function probeDhcp(iface: string): Promise<DhcpAttempt> {
  return udhcpc(iface, { ZEN_DHCP_PROBE: '1' }, 3);
}

/** Gets a lease and applies it: address, default route, resolvers in `resolvConfPath`. */
export function renewLease(iface: string, resolvConfPath: string): Promise<DhcpAttempt> {
  return udhcpc(iface, { ZEN_DHCP_PROBE: '0', ZEN_RESOLV_CONF: resolvConfPath }, 5);
}
