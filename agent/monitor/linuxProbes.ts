import { Resolver } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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

async function dnsSample(server: string | undefined, name: string, source: string | undefined) {
  if (!server) return { target: 'dns', sent: 1, answeredMs: [] } satisfies ProbeSample;
  const resolver = new Resolver({ timeout: probeTimeoutMs, tries: 1 });
  resolver.setServers([server]);
  if (source) resolver.setLocalAddress(source);
  const started = performance.now();
  try {
    await resolver.resolve4(name);
  } catch (err) {
    // The resolver answered that the name has no address: it answers all the same.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTFOUND' && code !== 'ENODATA') {
      return { target: 'dns', sent: 1, answeredMs: [] } satisfies ProbeSample;
    }
  }
  return { target: 'dns', sent: 1, answeredMs: [elapsed(started)] } satisfies ProbeSample;
}

function httpSample(url: string, source: string | undefined): Promise<ProbeSample> {
  const started = performance.now();
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const failed = () => resolve({ target: 'http', sent: 1, answeredMs: [] });
    // HEAD: any answer shows the web works, and it costs a few hundred bytes.
    const req = send(url, { method: 'HEAD', localAddress: source, timeout: 5000 }, (res) => {
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
      const probes: Promise<ProbeSample>[] = [
        gateway
          ? pingSample('gateway', gateway, 2, iface)
          : Promise.resolve({ target: 'gateway', sent: 1, answeredMs: [] }),
        dnsSample(nameservers(options.resolvConfPath)[0], options.dnsName, source),
        ...options.targets.map((t) => pingSample('internet', t, options.pingsPerTarget, iface)),
      ];
      if (withHttp) probes.push(httpSample(options.httpUrl, source));
      return Promise.all(probes);
    },
  };
}
