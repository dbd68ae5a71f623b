import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AgentConfig } from '../config';
import { ipConfig } from '../linux/checks';
import { askResolver } from '../linux/checks/resolve';
import { sleep } from '../linux/exec';
import { ping } from '../linux/ping';
import {
  dhcpOptions,
  handedOut,
  lanAddress,
  stageDhcpOptions,
  wanStatus,
  withOption,
} from './openwrt';
import { routerClient } from './routerApi';

// The fixes on the router itself, through its API. A change of what the router's
// DHCP hands out goes through rpcd's safe apply: `uci apply {rollback: true}`
// makes it live and the router rolls it back by itself unless `uci confirm`
// follows within the timeout. The box confirms only once it has seen the change
// work from the LAN: it renews its own lease, as every office computer will, and
// tries what it got. The setting before the change is kept in the state
// directory for `zen-agent router-undo`.

/** How long the router waits for the box's confirmation before it rolls back by itself. */
export const ROLLBACK_SECONDS = 60;
const WAN_UP_WITHIN_MS = 60_000;

export interface RouterDeps {
  /** Renews the box's own lease on its interface (agent/linux/actions.ts). */
  renewLease: () => Promise<string>;
}

const Undo = z.object({ at: z.string(), action: z.string(), dhcpOptions: z.array(z.string()) });
const undoPath = (config: AgentConfig) => path.join(config.network.stateDir, 'router-undo.json');

/** Keeps the customer's own setting: a second change does not overwrite the first one's record. */
function keepForUndo(config: AgentConfig, action: string, options: string[]): void {
  const file = undoPath(config);
  if (existsSync(file)) return;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({ at: new Date().toISOString(), action, dhcpOptions: options }),
  );
}

interface Lease {
  gateway?: string;
  dnsServers: string[];
}

/** Renews the box's lease until it shows `expected` (the router may take a moment to reload). */
async function leaseShowing(
  deps: RouterDeps,
  config: AgentConfig,
  expected: (l: Lease) => boolean,
) {
  let lease: Lease = { dnsServers: [] };
  for (let attempt = 1; attempt <= 4; attempt++) {
    await deps.renewLease().catch(() => undefined);
    const { data } = await ipConfig(config);
    lease = { gateway: data.gateway, dnsServers: data.dnsServers };
    if (expected(lease)) return { lease, matches: true };
    await sleep(2000);
  }
  return { lease, matches: false };
}

/**
 * Sets one DHCP option through safe apply, verifies it from the LAN with `works`, and
 * confirms; otherwise rolls back and renews the box's lease again.
 */
async function changeDhcp(
  config: AgentConfig,
  deps: RouterDeps,
  action: string,
  change: (lan: string, before: string[]) => string[],
  works: (lease: Lease, lan: string) => Promise<string | undefined>,
  expected: (lease: Lease, lan: string) => boolean,
): Promise<{ lan: string; lease: Lease }> {
  const client = routerClient(config);
  await client.login();
  client.require([
    { kind: 'uci', object: 'dhcp', what: 'read' },
    { kind: 'uci', object: 'dhcp', what: 'write' },
    { kind: 'uci', object: 'network', what: 'read' },
  ]);
  const lan = await lanAddress(client);
  const before = await dhcpOptions(client);
  const after = change(lan, before);
  if (JSON.stringify(after) === JSON.stringify(before)) {
    throw new Error('The router already hands out this setting; nothing was changed.');
  }
  keepForUndo(config, action, before);
  await stageDhcpOptions(client, after);
  await client.call('uci', 'apply', { rollback: true, timeout: ROLLBACK_SECONDS });
  const seen = await leaseShowing(deps, config, (l) => expected(l, lan));
  const problem = seen.matches
    ? await works(seen.lease, lan)
    : `the box's new lease does not show it (gateway ${seen.lease.gateway ?? 'none'}, DNS ${seen.lease.dnsServers.join(', ') || 'none'})`;
  if (problem) {
    // Not confirmed: the router rolls back at the latest when its timer runs out.
    const rolledBack = await client.call('uci', 'rollback').then(
      () => 'the router rolled it back',
      () => `the router rolls it back within ${ROLLBACK_SECONDS} s`,
    );
    if (!rolledBack.startsWith('the router rolled')) await sleep(ROLLBACK_SECONDS * 1000);
    await deps.renewLease().catch(() => undefined);
    rmSync(undoPath(config), { force: true });
    throw new Error(`The change did not work from the office network (${problem}); ${rolledBack}.`);
  }
  await client.call('uci', 'confirm');
  return { lan, lease: seen.lease };
}

export async function setDhcpDns(config: AgentConfig, deps: RouterDeps, servers: string[]) {
  const ownOnly = (lan: string) => servers.length === 1 && servers[0] === lan;
  const { lan, lease } = await changeDhcp(
    config,
    deps,
    'router_set_dhcp_dns',
    // The router's own address alone is its default: the option goes.
    (lan, before) => withOption(before, 'dns', ownOnly(lan) ? undefined : servers),
    async (l) => {
      const answer = await askResolver(l.dnsServers[0]!, config.dnsTestName, { timeoutMs: 2000 });
      return answer.outcome === 'answered'
        ? undefined
        : `${l.dnsServers[0]} did not answer ${config.dnsTestName} (${answer.outcome})`;
    },
    (l, lan) => l.dnsServers[0] === (ownOnly(lan) ? lan : servers[0]),
  );
  const what = ownOnly(lan) ? `itself (${lan})` : servers.join(', ');
  return `The router's DHCP now hands out ${what} as DNS; the box renewed its lease, resolved ${config.dnsTestName} through ${lease.dnsServers[0]} and confirmed the change. Other devices get it when they reconnect or renew their lease; zen-agent router-undo restores the previous setting.`;
}

export async function setDhcpGateway(config: AgentConfig, deps: RouterDeps, gateway: string) {
  await changeDhcp(
    config,
    deps,
    'router_set_dhcp_gateway',
    (lan, before) => {
      if (gateway !== lan) {
        throw new Error(
          `${gateway} is not the router's own LAN address (${lan}): only that makes sense as the gateway it hands out.`,
        );
      }
      // The router itself is the default gateway: the option goes.
      return withOption(before, 'gateway', undefined);
    },
    async (l) =>
      (await ping(l.gateway!, { count: 3, iface: config.interface })).received > 0
        ? undefined
        : `the gateway ${l.gateway} did not answer`,
    (l) => l.gateway === gateway,
  );
  return `The router's DHCP now hands out itself (${gateway}) as the gateway; the box renewed its lease, reached the gateway and confirmed the change. Other devices get it when they reconnect or renew their lease; zen-agent router-undo restores the previous setting.`;
}

export async function restartWan(config: AgentConfig): Promise<string> {
  const client = routerClient(config);
  await client.login();
  client.require(
    ['status', 'down', 'up'].map((what) => ({
      kind: 'ubus' as const,
      object: 'network.interface.wan',
      what,
    })),
  );
  await client.call('network.interface.wan', 'down');
  await sleep(2000);
  await client.call('network.interface.wan', 'up');
  const deadline = Date.now() + WAN_UP_WITHIN_MS;
  for (;;) {
    const wan = await wanStatus(client);
    if (wan.up) {
      const target = config.internetTargets[0]!;
      const reached = (await ping(target, { count: 3 })).received > 0;
      return `Restarted the router's WAN interface: it is up again with ${wan.address}${reached ? `, and ${target} answers through it` : `, but ${target} does not answer yet`}.`;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `The router's WAN interface did not come back up with an address within ${WAN_UP_WITHIN_MS / 1000} s.`,
      );
    }
    await sleep(1000);
  }
}

/** `zen-agent router-undo`: the DHCP options before the box's first change go back. */
export async function routerUndo(config: AgentConfig, deps: RouterDeps): Promise<string> {
  const file = undoPath(config);
  if (!existsSync(file))
    return "Nothing to restore: the agent has not changed the router's settings.";
  const kept = Undo.parse(JSON.parse(readFileSync(file, 'utf8')));
  const client = routerClient(config);
  await client.login();
  client.require([{ kind: 'uci', object: 'dhcp', what: 'write' }]);
  // The technician's own choice: committed as it was, without the box's verification.
  if (JSON.stringify(await dhcpOptions(client)) !== JSON.stringify(kept.dhcpOptions)) {
    await stageDhcpOptions(client, kept.dhcpOptions);
    await client.call('uci', 'commit', { config: 'dhcp' });
  }
  rmSync(file);
  await deps.renewLease().catch(() => undefined);
  const lan = await lanAddress(client);
  const restored = handedOut(kept.dhcpOptions, lan);
  return `Restored the router's DHCP settings from before ${kept.action} (${kept.at}): gateway ${restored.gateway}, DNS ${restored.dnsServers.join(', ')}.`;
}
