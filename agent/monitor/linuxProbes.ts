import { Resolver } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { CloudPath } from '../../contracts/cloudPath';
import { run } from '../linux/exec';
import { defaultGateway, ipv4Addresses } from '../linux/iproute';
import { parsePing } from '../linux/ping';
import { nameservers } from '../linux/resolvConf';
import type { ProbeSample, ProbeSource } from './probes';

// The monitor's probes on a real box: ping the office gateway and the internet targets,
// look a name up through the configured resolver, fetch a small page. Every probe
// leaves by the office interface (ping -I, a bound source address), never by LTE:
// the monitor watches the office's network, not the box's own way out.

export interface LinuxProbeOptions {
  /** The office interface. */
  iface: string;
  resolvConfPath: string;
  targets: string[];
  pingsPerTarget: number;
  dnsName: string;
  httpUrl: string;
  cloudPath: () => CloudPath | undefined;
}

const probeTimeoutMs = 2000;

/** Round trips of each answered echo request, from ping's per-reply lines. */
export function parseReplies(output: string): number[] {
  return [...output.matchAll(/icmp_seq=\d+ .*time=([\d.]+) ms/g)].map((m) => Number(m[1]));
}

async function pingSample(
  target: ProbeSample['target'],
  host: string,
  count: number,
  iface: string,
): Promise<ProbeSample> {
  const args = ['-n', '-c', String(count), '-i', '0.2', '-W', '1', '-I', iface, host];
  const out = await run('ping', args, { timeoutMs: (count * 0.2 + 3) * 1000 });
  // "Network is unreachable": nothing left the box, which is a failure all the same.
  const sent = /packets transmitted/.test(out.stdout) ? parsePing(out.stdout).sent : count;
  return { target, sent, answeredMs: parseReplies(out.stdout) };
}

/** A resolver asking the office's first configured server, from the office address. */
function officeResolver(server: string, source: string | undefined): Resolver {
  const resolver = new Resolver({ timeout: probeTimeoutMs, tries: 1 });
  resolver.setServers([server]);
  if (source) resolver.setLocalAddress(source);
  return resolver;
}

async function dnsSample(server: string | undefined, name: string, source: string | undefined) {
  const failed: ProbeSample = { target: 'dns', sent: 1, answeredMs: [] };
  if (!server) return failed;
  const started = performance.now();
  try {
    await officeResolver(server, source).resolve4(name);
  } catch (err) {
    // The resolver answered that the name has no address: it answers all the same.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTFOUND' && code !== 'ENODATA') return failed;
  }
  return { ...failed, answeredMs: [elapsed(started)] };
}

/** Names the HTTP probe connects to are looked up as the office's computers would. */
function officeLookup(server: string | undefined, source: string | undefined): LookupFunction {
  return (hostname, options, callback) => {
    const answered = (address: string) =>
      options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4);
    if (isIP(hostname) === 4) return answered(hostname);
    if (!server)
      return callback(Object.assign(new Error('no resolver'), { code: 'ENOTFOUND' }), '', 4);
    officeResolver(server, source)
      .resolve4(hostname)
      .then(
        ([address]) =>
          address
            ? answered(address)
            : callback(Object.assign(new Error('no address'), { code: 'ENODATA' }), '', 4),
        (err: NodeJS.ErrnoException) => callback(err, '', 4),
      );
  };
}

function httpSample(
  url: string,
  source: string | undefined,
  lookup: LookupFunction,
): Promise<ProbeSample> {
  const started = performance.now();
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const failed = () => resolve({ target: 'http', sent: 1, answeredMs: [] });
    // HEAD: any answer shows the web works, and it costs a few hundred bytes.
    const options = { method: 'HEAD', localAddress: source, lookup, timeout: 5000 };
    const req = send(url, options, (res) => {
      res.resume();
      resolve({ target: 'http', sent: 1, answeredMs: [elapsed(started)] });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', failed);
    req.end();
  });
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 10) / 10;

export function linuxProbes(options: LinuxProbeOptions): ProbeSource {
  const { iface } = options;
  return {
    cloudPath: options.cloudPath,
    async round(withHttp) {
      const [gateway, addresses] = await Promise.all([
        defaultGateway(iface).catch(() => undefined),
        ipv4Addresses(iface).catch(() => []),
      ]);
      const source = addresses.find((a) => !a.linkLocal)?.address;
      const server = nameservers(options.resolvConfPath)[0];
      const probes: Promise<ProbeSample>[] = [
        gateway
          ? pingSample('gateway', gateway, 2, iface)
          : Promise.resolve({ target: 'gateway', sent: 1, answeredMs: [] }),
        dnsSample(server, options.dnsName, source),
        ...options.targets.map((t) => pingSample('internet', t, options.pingsPerTarget, iface)),
      ];
      if (withHttp) probes.push(httpSample(options.httpUrl, source, officeLookup(server, source)));
      return Promise.all(probes);
    },
  };
}
