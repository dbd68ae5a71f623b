import { checkThresholds } from '../../../contracts/diagnostics';
import type { AgentConfig } from '../../config';
import type { Measured } from '../checks';
import { run } from '../exec';

// How large a packet gets through to the internet unfragmented. A line with a
// smaller MTU than the LAN's (PPPoE, a tunnel) is harmless while the
// "fragmentation needed" errors come back; where something drops them, small
// packets pass and large ones vanish: pages and TLS handshakes stall.
// Every size is probed at once with don't-fragment pings.

/** 1500 Ethernet, 1492 PPPoE, then down to the 576 every IPv4 host must accept. */
export const probedMtus = [1500, 1492, 1480, 1460, 1440, 1420, 1400, 1380, 1360, 1280, 1000, 576];
const IP_AND_ICMP_HEADERS = 28;

export interface MtuProbe {
  mtu: number;
  passed: boolean;
  /** "Frag needed … mtu = N" from the path, or the kernel's cached path MTU. */
  reportedMtu?: number;
}

/** One `ping -M do` run's output: answered, and any MTU the path or the kernel named. */
export function parseDfPing(mtu: number, output: string): MtuProbe {
  const received = /\d+ packets transmitted, (\d+) received/.exec(output);
  const reported = /mtu ?= ?(\d+)/i.exec(output);
  return {
    mtu,
    passed: Number(received?.[1] ?? 0) > 0,
    reportedMtu: reported ? Number(reported[1]) : undefined,
  };
}

/** Two don't-fragment echo requests whose IP packets are exactly `mtu` bytes. */
export function dfPingArgs(target: string, mtu: number): string[] {
  const payload = String(mtu - IP_AND_ICMP_HEADERS);
  return ['-n', '-M', 'do', '-s', payload, '-c', '2', '-i', '0.2', '-W', '1', target];
}

async function probe(target: string, mtu: number): Promise<MtuProbe> {
  const out = await run('ping', dfPingArgs(target, mtu), { timeoutMs: 5000 });
  return parseDfPing(mtu, out.stdout + out.stderr);
}

export function pathMtuData(target: string, probes: MtuProbe[]): Measured<'path_mtu'> {
  const passing = probes.filter((p) => p.passed).map((p) => p.mtu);
  const largestPassing = passing.length > 0 ? Math.max(...passing) : undefined;
  const reported = probes.map((p) => p.reportedMtu).filter((m) => m !== undefined);
  const data = {
    target,
    probes: probes.map(({ mtu, passed }) => ({ mtu, passed })),
    largestPassing,
    reportedMtu: reported.length > 0 ? Math.min(...reported) : undefined,
    minimumMtu: checkThresholds.minPathMtu,
  };
  const ok = largestPassing !== undefined && largestPassing >= checkThresholds.minPathMtu;
  return { ok, data };
}

export async function pathMtu(config: AgentConfig): Promise<Measured<'path_mtu'>> {
  const target = config.internetTargets[0]!;
  const probes = await Promise.all(probedMtus.map((mtu) => probe(target, mtu)));
  return pathMtuData(target, probes);
}
