import { readFileSync } from 'node:fs';
import type { AgentConfig } from '../config';
import type { Measured } from '../linux/checks';
import {
  OpenWrtClient,
  RouterError,
  boardInfo,
  dhcpOptions,
  handedOut,
  lanAddress,
  routerPassword,
  wanStatus,
} from './openwrt';

// The router_api check: the router's own view of itself through its management
// API, when the box has credentials for it. Reads only: the board, the WAN
// interface's status, the LAN address and the LAN DHCP options.

type Data = Measured<'router_api'>['data'];

/** A logged-in client for the configured router; throws a RouterError when none is configured. */
export function routerClient(config: AgentConfig): OpenWrtClient {
  const router = config.router;
  if (!router)
    throw new RouterError(
      "No router API is configured on this box (config 'router').",
      'login-refused',
    );
  return new OpenWrtClient({
    url: router.url,
    username: router.username,
    password: routerPassword(router.passwordFile),
    ca: router.caFile ? readFileSync(router.caFile, 'utf8') : undefined,
    // Each request well inside the check's own limit: a silent router costs seconds, not minutes.
    timeoutMs: Math.min(4000, Math.floor(config.timeouts.checkMs / 4)),
  });
}

export async function routerApi(config: AgentConfig): Promise<Measured<'router_api'>> {
  if (!config.router) return { ok: true, data: { configured: false, reachable: false } };
  const base = { configured: true, kind: config.router.kind } as const;
  let data: Data;
  try {
    const client = routerClient(config);
    await client.login();
    const board = await boardInfo(client);
    const wan = await wanStatus(client);
    const lan = await lanAddress(client);
    const dhcp = handedOut(await dhcpOptions(client), lan);
    data = {
      ...base,
      reachable: true,
      ...(board.model ? { model: board.model.slice(0, 100) } : {}),
      ...(board.release ? { release: board.release.slice(0, 100) } : {}),
      lanAddress: lan,
      wan,
      dhcp,
    };
  } catch (err) {
    if (!(err instanceof RouterError)) throw err;
    // A router that answered but refused is reachable; its problem says what to fix.
    const reachable = err.problem === 'permission-denied' || err.problem === 'bad-answer';
    data = { ...base, reachable, problem: err.problem };
  }
  return { ok: data.reachable && data.problem === undefined && data.wan?.up === true, data };
}
