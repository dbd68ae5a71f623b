import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';

// A client for OpenWrt's management API: ubus over HTTP JSON-RPC, as uhttpd
// serves it at <router>/ubus and rpcd answers it. Every call is
//   {"jsonrpc":"2.0","id":N,"method":"call","params":[session, object, method, args]}
// and its result is [status] or [status, data], status a ubus code (0 ok, 6
// permission denied, ...); uhttpd itself answers with a JSON-RPC error when the
// session is unknown or its ACL does not cover the call (-32002 "Access denied").
// A session comes from `session login`; it expires after its timeout, and the
// client logs in again once when told so.

/** ubus status codes (libubus `enum ubus_msg_status`). */
export const ubusStatus = [
  'ok',
  'invalid command',
  'invalid argument',
  'method not found',
  'not found',
  'no data',
  'permission denied',
  'timeout',
  'not supported',
  'unknown error',
  'connection failed',
] as const;
const PERMISSION_DENIED = 6;
/** uhttpd's JSON-RPC errors for an unknown or expired session and a call its ACL does not allow. */
const SESSION_NOT_FOUND = -32001;
const ACCESS_DENIED = -32002;
const NO_SESSION = '00000000000000000000000000000000';

export type RouterProblem = 'unreachable' | 'login-refused' | 'permission-denied' | 'bad-answer';

/** A call that failed, with the reason the router_api check reports. */
export class RouterError extends Error {
  constructor(
    message: string,
    readonly problem: RouterProblem,
  ) {
    super(message);
  }
}

export interface OpenWrtSettings {
  url: string;
  username: string;
  password: string;
  /** PEM CA certificate(s) for an https url. */
  ca?: string;
  /** The time limit of each HTTP request. */
  timeoutMs?: number;
}

const Reply = z.union([
  z.object({ jsonrpc: z.literal('2.0'), result: z.tuple([z.number().int()], z.unknown()) }),
  z.object({
    jsonrpc: z.literal('2.0'),
    error: z.object({ code: z.number().int(), message: z.string() }),
  }),
]);
const Login = z.object({
  ubus_rpc_session: z.string().regex(/^[0-9a-f]{32}$/),
  acls: z
    .object({
      ubus: z.record(z.string(), z.array(z.string())).optional(),
      uci: z.record(z.string(), z.array(z.string())).optional(),
    })
    .loose()
    .optional(),
});
type Acls = z.infer<typeof Login>['acls'];

/** One HTTP POST with a time limit; the body of any answer. */
function post(url: URL, body: string, timeoutMs: number, ca?: string): Promise<string> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
        ...(ca ? { ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // A router's answers are small: anything bigger is not the API.
          if (size > 1 << 20) req.destroy(new Error('answer larger than 1 MB'));
          else chunks.push(chunk);
        });
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The password from its file, else ZEN_ROUTER_PASSWORD: never from the config file itself. */
export function routerPassword(passwordFile: string | undefined): string {
  if (passwordFile) return readFileSync(passwordFile, 'utf8').trim();
  const password = process.env.ZEN_ROUTER_PASSWORD;
  if (!password)
    throw new RouterError(
      "No password for the router's API: set router.passwordFile or ZEN_ROUTER_PASSWORD.",
      'login-refused',
    );
  return password;
}

export class OpenWrtClient {
  private session: string | undefined;
  private acls: Acls;
  private id = 0;
  private readonly endpoint: URL;

  constructor(private readonly settings: OpenWrtSettings) {
    this.endpoint = new URL('ubus', settings.url.endsWith('/') ? settings.url : `${settings.url}/`);
  }

  private async rpc(session: string, object: string, method: string, args: object) {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: ++this.id,
      method: 'call',
      params: [session, object, method, args],
    });
    let text: string;
    try {
      text = await post(this.endpoint, body, this.settings.timeoutMs ?? 5000, this.settings.ca);
    } catch (err) {
      throw new RouterError(
        `The router's API at ${this.endpoint.host} did not answer: ${(err as Error).message}`,
        'unreachable',
      );
    }
    let reply: z.infer<typeof Reply>;
    try {
      reply = Reply.parse(JSON.parse(text));
    } catch {
      throw new RouterError(
        `The router's answer to ${object} ${method} is not ubus JSON-RPC.`,
        'bad-answer',
      );
    }
    return reply;
  }

  /** `session login`: a session id and the ACLs rpcd granted this user. */
  async login(): Promise<void> {
    const { username, password } = this.settings;
    const reply = await this.rpc(NO_SESSION, 'session', 'login', { username, password });
    if ('error' in reply || reply.result[0] !== 0) {
      const why = 'error' in reply ? reply.error.message : ubusStatus[reply.result[0]];
      throw new RouterError(
        `The router refused the login of ${username} (${why ?? 'unknown status'}).`,
        'login-refused',
      );
    }
    const login = Login.safeParse(reply.result[1]);
    if (!login.success) throw new RouterError('The router sent no session.', 'bad-answer');
    this.session = login.data.ubus_rpc_session;
    this.acls = login.data.acls;
  }

  /**
   * Whether the session's ACL grants a ubus call or uci access (as rpcd reported at login),
   * so a missing grant is named before anything is changed.
   */
  allows(kind: 'ubus' | 'uci', object: string, what: string): boolean {
    const grants = this.acls?.[kind] ?? {};
    return Object.entries(grants).some(
      ([pattern, list]) =>
        (pattern === object ||
          (pattern.endsWith('*') && object.startsWith(pattern.slice(0, -1)))) &&
        (list.includes(what) || list.includes('*')),
    );
  }

  /** Throws a clear error when the login's ACL lacks one of the grants. */
  require(grants: { kind: 'ubus' | 'uci'; object: string; what: string }[]): void {
    const missing = grants.filter((g) => !this.allows(g.kind, g.object, g.what));
    if (missing.length > 0) {
      throw new RouterError(
        `The router's ACL for ${this.settings.username} does not grant ${missing.map((g) => `${g.kind} ${g.object} ${g.what}`).join(', ')} (rpcd acl.d).`,
        'permission-denied',
      );
    }
  }

  /** One ubus call with the session (logging in first, and once more if it expired). */
  async call(object: string, method: string, args: object = {}): Promise<Record<string, unknown>> {
    for (let attempt = 1; ; attempt++) {
      if (!this.session) await this.login();
      const reply = await this.rpc(this.session!, object, method, args);
      if ('error' in reply) {
        const expired =
          reply.error.code === SESSION_NOT_FOUND || reply.error.code === ACCESS_DENIED;
        if (expired && attempt === 1) {
          // uhttpd says "Access denied" both for an expired session and a call outside the ACL.
          this.session = undefined;
          continue;
        }
        throw new RouterError(
          `The router refused ${object} ${method}: ${reply.error.message} (${reply.error.code}).`,
          reply.error.code === ACCESS_DENIED ? 'permission-denied' : 'bad-answer',
        );
      }
      const [status, data] = reply.result;
      if (status !== 0) {
        throw new RouterError(
          `The router answered ${object} ${method} with "${ubusStatus[status] ?? status}" (${status}).`,
          status === PERMISSION_DENIED ? 'permission-denied' : 'bad-answer',
        );
      }
      return (data ?? {}) as Record<string, unknown>;
    }
  }
}

// ---- what the box reads and changes -------------------------------------------

const Board = z
  .object({
    model: z.string().optional(),
    release: z.object({ description: z.string().optional() }).loose().optional(),
  })
  .loose();
const InterfaceStatus = z
  .object({
    up: z.boolean(),
    uptime: z.number().optional(),
    'ipv4-address': z.array(z.object({ address: z.string(), mask: z.number() })).optional(),
  })
  .loose();
const Section = z.object({ values: z.record(z.string(), z.unknown()) });

export interface WanStatus {
  up: boolean;
  address?: string;
  uptimeSeconds?: number;
}

const isIpv4 = (a: string) =>
  /^\d{1,3}(\.\d{1,3}){3}$/.test(a) && a.split('.').every((part) => Number(part) <= 255);

export async function boardInfo(client: OpenWrtClient) {
  const board = Board.parse(await client.call('system', 'board'));
  return { model: board.model, release: board.release?.description };
}

export async function wanStatus(client: OpenWrtClient): Promise<WanStatus> {
  const status = InterfaceStatus.parse(await client.call('network.interface.wan', 'status'));
  const address = status['ipv4-address']?.map((a) => a.address).find(isIpv4);
  return {
    // netifd says up once the protocol came up; without an address nothing passes.
    up: status.up && address !== undefined,
    address,
    uptimeSeconds: status.up && status.uptime !== undefined ? Math.floor(status.uptime) : undefined,
  };
}

/** The router's LAN address from its network config (`network.lan.ipaddr`). */
export async function lanAddress(client: OpenWrtClient): Promise<string> {
  const { values } = Section.parse(
    await client.call('uci', 'get', { config: 'network', section: 'lan' }),
  );
  const raw = values.ipaddr;
  const address = (Array.isArray(raw) ? raw[0] : raw) as unknown;
  const bare = typeof address === 'string' ? address.split('/')[0]! : '';
  if (!isIpv4(bare)) throw new RouterError('The router has no IPv4 LAN address.', 'bad-answer');
  return bare;
}

/** The LAN DHCP section's `dhcp_option` list ("6,1.1.1.1", "option:router,..."), as it stands. */
export async function dhcpOptions(client: OpenWrtClient): Promise<string[]> {
  const { values } = Section.parse(
    await client.call('uci', 'get', { config: 'dhcp', section: 'lan' }),
  );
  const raw = values.dhcp_option;
  if (raw === undefined) return [];
  // uci keeps a list; an option written as a single string holds space-separated items.
  const list = Array.isArray(raw) ? raw : String(raw).split(/\s+/);
  return list.filter((item): item is string => typeof item === 'string' && item.length > 0);
}

const optionTags = {
  gateway: ['3', 'option:router', 'router'],
  dns: ['6', 'option:dns-server', 'dns-server'],
};

/** The addresses one DHCP option (gateway or dns) holds in the list; undefined when unset. */
export function optionValues(options: string[], which: 'gateway' | 'dns'): string[] | undefined {
  for (const item of options) {
    const [tag, ...values] = item.split(',');
    if (optionTags[which].includes(tag!.trim())) return values.map((v) => v.trim()).filter(isIpv4);
  }
  return undefined;
}

/** The list with one option (gateway or dns) set to `values`, or removed when undefined. */
export function withOption(
  options: string[],
  which: 'gateway' | 'dns',
  values: string[] | undefined,
): string[] {
  const others = options.filter((item) => !optionTags[which].includes(item.split(',')[0]!.trim()));
  return values ? [...others, `${optionTags[which][0]},${values.join(',')}`] : others;
}

/** What the router's DHCP hands out: its options, or the router itself where none is set. */
export function handedOut(options: string[], lan: string) {
  const gateway = optionValues(options, 'gateway')?.[0];
  const dns = optionValues(options, 'dns');
  return {
    gateway: gateway ?? lan,
    gatewaySet: gateway !== undefined,
    dnsServers: (dns && dns.length > 0 ? dns : [lan]).slice(0, 4),
    dnsSet: dns !== undefined && dns.length > 0,
  };
}

/** Stages the LAN DHCP section's option list (uci set, or delete when empty). */
export async function stageDhcpOptions(client: OpenWrtClient, options: string[]): Promise<void> {
  if (options.length > 0) {
    await client.call('uci', 'set', {
      config: 'dhcp',
      section: 'lan',
      values: { dhcp_option: options },
    });
  } else {
    await client.call('uci', 'delete', { config: 'dhcp', section: 'lan', option: 'dhcp_option' });
  }
}
