import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIPv4, type LookupFunction } from 'node:net';
import { SpeedTestProgress, speedTestPath } from '../../../contracts/speedTest';
import { cloudRequestAgent } from '../../cloud/trust';
import type { AgentConfig } from '../../config';
import { run } from '../exec';
import { nameservers } from '../resolvConf';

// The box's end of the speed test (contracts/speedTest.ts): which server, which
// way the route goes, and one bounded transfer each way. The cloud's route
// takes the device token over the same verified TLS as the cloud link; a
// configured speed-test URL is sent no token.

export interface Transfer {
  mbps: number;
  bytes: number;
  seconds: number;
}

export interface SpeedTestServer {
  /** The URL without a query, as the results name it. */
  url: string;
  /** The interface the route to the server leaves by. */
  iface?: string;
  /** Set when the route goes over the box's LTE link: nothing may be measured. */
  skipped?: 'cloud-link-on-lte';
  request(method: 'GET' | 'POST', bytes: number): http.ClientRequest;
  close(): void;
}

export interface TransferLimits {
  maxBytes: number;
  maxSeconds: number;
  /** Ends the transfer early (the latency check stops its load once it has pinged). */
  signal?: AbortSignal;
}

const connectTimeoutMs = 5000;
/** After a load: what it left queued on a slow line drains before the next measurement. */
export const drainMs = 1000;
const filler = randomBytes(64 * 1024);

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function transferOf(bytes: number, seconds: number): Transfer {
  const mbps = seconds > 0 ? (bytes * 8) / seconds / 1e6 : 0;
  return { mbps: round(mbps), bytes, seconds: round(seconds, 3) };
}

/** The interface `ip route get` names for an address (the main table: what the checks' traffic takes). */
export async function routeInterface(address: string): Promise<string | undefined> {
  const out = await run('ip', ['-j', '-4', 'route', 'get', address], { timeoutMs: 3000 });
  if (out.code !== 0) return undefined;
  return parseRouteGet(out.stdout);
}

export function parseRouteGet(json: string): string | undefined {
  const routes = JSON.parse(json || '[]') as { dev?: unknown }[];
  const dev = routes[0]?.dev;
  return typeof dev === 'string' ? dev : undefined;
}

function deviceToken(config: AgentConfig): string {
  const token = config.tokenFile
    ? readFileSync(config.tokenFile, 'utf8').trim()
    : process.env.ZEN_DEVICE_TOKEN?.split(',')[0];
  if (!token) throw new Error('no device token (tokenFile or ZEN_DEVICE_TOKEN) for the cloud');
  return token;
}

/** The server's address, through the office's resolver, as the office's computers would find it. */
async function resolve(config: AgentConfig, host: string): Promise<string> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIPv4(bare)) return bare;
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  const servers = nameservers(config.resolvConfPath);
  if (servers.length > 0) resolver.setServers(servers);
  const [address] = await resolver.resolve4(bare);
  if (!address) throw new Error(`${host} has no IPv4 address`);
  return address;
}

export async function speedTestServer(config: AgentConfig): Promise<SpeedTestServer> {
  const configured = config.throughput.url;
  const url = new URL(configured ?? new URL(speedTestPath, config.apiUrl).toString());
  const address = await resolve(config, url.hostname);
  const iface = await routeInterface(address);
  const lookup: LookupFunction = (_host, options, callback) =>
    options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4);
  const agent = configured
    ? new (url.protocol === 'https:' ? https : http).Agent({ keepAlive: false })
    : cloudRequestAgent(config, { lookup });
  const headers: Record<string, string> = configured
    ? {}
    : { authorization: `Bearer ${deviceToken(config)}` };
  const name = `${url.origin}${url.pathname}`;
  const onLte = config.lte !== undefined && iface === config.lte.interface;
  return {
    url: name,
    iface,
    ...(onLte && { skipped: 'cloud-link-on-lte' as const }),
    request(method, bytes) {
      const target = new URL(url);
      target.searchParams.set('bytes', String(bytes));
      const client = url.protocol === 'https:' ? https : http;
      return client.request(target, {
        method,
        agent,
        lookup,
        headers: {
          ...headers,
          'user-agent': 'zen-agent',
          ...(method === 'POST' && { 'content-type': 'application/octet-stream' }),
        },
        timeout: connectTimeoutMs,
      });
    },
    close: () => agent.destroy(),
  };
}

function refused(res: http.IncomingMessage): Error {
  res.resume();
  return new Error(`the speed-test server answered ${res.statusCode}`);
}

/** Downloads until `maxBytes` arrived or `maxSeconds` passed since the answer began. */
export function download(server: SpeedTestServer, limits: TransferLimits): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const req = server.request('GET', limits.maxBytes);
    let bytes = 0;
    let started: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', finish);
      req.destroy();
      if (started === undefined)
        return reject(new Error('the download was stopped before it began'));
      resolve(transferOf(bytes, (performance.now() - started) / 1000));
    };
    req.on('timeout', () => req.destroy(new Error(`no answer within ${connectTimeoutMs} ms`)));
    req.on('error', (err) => (started === undefined ? reject(err) : finish()));
    req.on('response', (res) => {
      if (res.statusCode !== 200) return reject(refused(res));
      req.setTimeout(0);
      started = performance.now();
      timer = setTimeout(finish, limits.maxSeconds * 1000);
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', finish);
      res.on('aborted', finish);
    });
    limits.signal?.addEventListener('abort', finish);
    req.end();
  });
}

/**
 * Uploads until `maxBytes` are sent or `maxSeconds` passed; the rate is what the
 * server says reached it (its progress lines), not what left the box's buffers.
 */
export function upload(server: SpeedTestServer, limits: TransferLimits): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const req = server.request('POST', limits.maxBytes);
    let answered = false;
    let last: SpeedTestProgress = { bytes: 0, ms: 0 };
    let sent = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', finish);
      req.destroy();
      if (!answered) return reject(new Error('the speed-test server did not answer the upload'));
      resolve(transferOf(last.bytes, last.ms / 1000));
    };
    const timer = setTimeout(finish, limits.maxSeconds * 1000);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${connectTimeoutMs} ms`)));
    req.on('error', (err) => {
      if (done) return;
      if (answered) return finish();
      done = true;
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        done = true;
        clearTimeout(timer);
        req.destroy();
        return reject(refused(res));
      }
      answered = true;
      req.setTimeout(0);
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        pending += text;
        const lines = pending.split('\n');
        pending = lines.pop()!.slice(-1024);
        for (const line of lines) {
          const progress = SpeedTestProgress.safeParse(safeJson(line));
          if (!progress.success) continue;
          last = progress.data;
          if (last.done) finish();
        }
      });
      res.on('end', finish);
    });
    const pump = () => {
      while (!done && sent < limits.maxBytes) {
        const chunk = filler.subarray(0, Math.min(filler.length, limits.maxBytes - sent));
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!done) req.end();
    };
    limits.signal?.addEventListener('abort', finish);
    pump();
  });
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
