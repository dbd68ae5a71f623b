import { Resolver } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckName, CheckResult } from '../../contracts/diagnostics';
import type { AgentConfig } from '../config';
import { probeDhcp } from './dhcp';
import { run } from './exec';
import {
  defaultGateway,
  forgetNeighbour,
  ipv4Addresses,
  linkState,
  neighbourState,
} from './iproute';
import { ping } from './ping';
import { nameservers } from './resolvConf';

// The diagnostics catalog measured with the real tools. Each check returns
// what it found in the shape contracts/diagnostics.ts defines.

type DataOf<K extends CheckName> = Extract<CheckResult, { check: K }>['data'];
// No `error` here: on a result it means the check could not run, and the
// advisor then ignores it. A check that ran and found a fault says so in `data`.
export type Measured<K extends CheckName> = { ok: boolean; data: DataOf<K> };

const LOSS_THRESHOLD_PCT = 5;
const answeredStates = ['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT'];

export async function link(config: AgentConfig): Promise<Measured<'link'>> {
  const state = await linkState(config.interface);
  const data = { interface: config.interface, up: state.up, speedMbps: state.speedMbps };
  return { ok: state.up, data };
}

export async function ipConfig(config: AgentConfig): Promise<Measured<'ip_config'>> {
  const addresses = await ipv4Addresses(config.interface);
  const routable = addresses.find((a) => !a.linkLocal);
  const chosen = routable ?? addresses[0];
  const leaseValid = routable?.leased ?? false;
  const data = {
    interface: config.interface,
    address: chosen?.address,
    prefixLength: chosen?.prefixLength,
    gateway: await defaultGateway(config.interface),
    dnsServers: nameservers(config.resolvConfPath),
    leaseValid,
    linkLocalOnly: addresses.length > 0 && !routable,
  };
  return { ok: leaseValid && data.gateway !== undefined && data.dnsServers.length > 0, data };
}

export async function dhcp(config: AgentConfig): Promise<Measured<'dhcp'>> {
  // A server with a full pool stays silent, exactly like no server: both read as "no offer".
  const attempt = await probeDhcp(config.interface);
  const data = {
    serverReachable: attempt.leased,
    offerReceived: attempt.leased,
    server: attempt.server,
  };
  return { ok: attempt.leased, data };
}

export async function gateway(config: AgentConfig): Promise<Measured<'gateway'>> {
  const address = await defaultGateway(config.interface);
  if (!address) return { ok: false, data: { arpResolved: false, lossPct: 100 } };
  // Forget the cached entry so the answer below is from this check, not from before the fault.
  await forgetNeighbour(config.interface, address);
  const result = await ping(address, { count: 5, iface: config.interface });
  const states = await neighbourState(config.interface, address);
  const arpResolved = states.some((s) => answeredStates.includes(s));
  const data = { address, arpResolved, lossPct: result.lossPct, rttMs: result.avgMs };
  return { ok: arpResolved && result.lossPct < LOSS_THRESHOLD_PCT, data };
}

async function resolveThrough(server: string, name: string) {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([server]);
  const started = performance.now();
  try {
    const answers = await resolver.resolve4(name);
    return answers.length > 0
      ? { server, ok: true, ms: Math.round((performance.now() - started) * 10) / 10 }
      : { server, ok: false };
  } catch {
    return { server, ok: false };
  }
}

export async function dns(config: AgentConfig): Promise<Measured<'dns'>> {
  const [server] = nameservers(config.resolvConfPath);
  const [configured, reference] = await Promise.all([
    server ? resolveThrough(server, config.dnsTestName) : Promise.resolve({ ok: false }),
    resolveThrough(config.referenceResolver, config.dnsTestName),
  ]);
  return { ok: configured.ok, data: { name: config.dnsTestName, configured, reference } };
}

export async function internet(config: AgentConfig): Promise<Measured<'internet'>> {
  const targets = await Promise.all(
    config.internetTargets.map(async (host) => {
      const result = await ping(host, { count: config.pingCount });
      return {
        host,
        sent: result.sent,
        lossPct: result.lossPct,
        avgMs: result.avgMs,
        jitterMs: result.jitterMs,
      };
    }),
  );
  return { ok: targets.every((t) => t.lossPct < LOSS_THRESHOLD_PCT), data: { targets } };
}

export async function httpCheck(config: AgentConfig): Promise<Measured<'http'>> {
  const url = config.httpUrl;
  const [server] = nameservers(config.resolvConfPath);
  // Names go through the configured resolver, as the customer's browsers would.
  const lookup: LookupFunction = (hostname, options, callback) => {
    const resolver = new Resolver({ timeout: 2000, tries: 2 });
    if (server) resolver.setServers([server]);
    resolver.resolve4(hostname).then(
      (addresses) =>
        options.all
          ? callback(null, [{ address: addresses[0]!, family: 4 }])
          : callback(null, addresses[0]!, 4),
      (err: NodeJS.ErrnoException) => callback(err, '', 4),
    );
  };
  const started = performance.now();
  const client = url.startsWith('https:') ? https : http;
  const response = await new Promise<{ status: number; server?: string } | Error>((resolve) => {
    const req = client.get(
      url,
      // A new connection every time: a kept-alive one from before a fix still ends where it did.
      { lookup, timeout: 8000, headers: { 'user-agent': 'zen-agent' }, agent: false },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            server: String(res.headers.server ?? '') || undefined,
          }),
        );
        res.on('error', resolve);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 8 s')));
    req.on('error', resolve);
  });
  const totalMs = Math.round(performance.now() - started);
  if (response instanceof Error) return { ok: false, data: { url, ok: false } };
  const ok = response.status >= 200 && response.status < 400;
  const data = {
    url,
    ok,
    status: response.status,
    totalMs,
    serverHeader: response.server?.slice(0, 512),
  };
  return { ok, data };
}

export async function traceroute(config: AgentConfig): Promise<Measured<'traceroute'>> {
  const target = config.tracerouteTarget ?? config.internetTargets[0]!;
  const out = await run('traceroute', ['-n', '-q', '1', '-w', '1', '-m', '10', target], {
    timeoutMs: 20_000,
  });
  const hops = out.stdout
    .split('\n')
    .slice(1)
    .map((line) => /^\s*(\d+)\s+(?:(\d+\.\d+\.\d+\.\d+)\s+([\d.]+) ms|\*)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) =>
      m[2] ? { ttl: Number(m[1]), address: m[2], ms: Number(m[3]) } : { ttl: Number(m[1]) },
    );
  const reachedTarget = hops.some((h) => h.address === target);
  return { ok: reachedTarget, data: { target, reachedTarget, hops } };
}

export async function modem(config: AgentConfig): Promise<Measured<'modem'>> {
  const result = await ping(config.modemAddress, { count: 3 });
  const reachable = result.lossPct < 100;
  return { ok: reachable, data: { managementAddress: config.modemAddress, reachable } };
}
