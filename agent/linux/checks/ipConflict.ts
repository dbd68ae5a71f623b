import { checkThresholds } from '../../../contracts/diagnostics';
import type { AgentConfig } from '../../config';
import type { Measured } from '../checks';
import { run } from '../exec';
import { defaultGateway, ipv4Addresses } from '../iproute';

// Two devices with one address, seen at the ARP level with iputils `arping`:
// - the box's own address: a duplicate-address probe (`arping -D`, sent from
//   0.0.0.0 as RFC 5227 says) that no other device should answer; a device
//   someone set by hand to an address inside the router's pool answers it;
// - the gateway's address: several broadcast probes (`-b`, so every device
//   holding the address hears each one); more than one MAC answering, or a MAC
//   in the box's neighbour table that no probe confirms, is a second device on
//   the router's address or a spoofer redirecting the office's traffic.
// MACs stay whole here; they leave the box hashed (agent/sanitize.ts), with
// the maker's prefix (OUI) kept so a technician can tell the brand.

type Data = Measured<'ip_conflict'>['data'];
export type ArpAnswer = Data['duplicates'][number];
type Finding = Data['findings'][number];

export interface Arping {
  sent: number;
  answers: ArpAnswer[];
}

const MAX_ANSWERS = 8;

/** iputils arping's output: "Unicast reply from A [MAC]" lines and "Sent N probes". */
export function parseArping(output: string): Arping {
  const byMac = new Map<string, number>();
  for (const m of output.matchAll(/reply from [\d.]+ \[([0-9A-Fa-f:]{17})\]/g)) {
    const mac = m[1]!.toLowerCase();
    byMac.set(mac, (byMac.get(mac) ?? 0) + 1);
  }
  const sent = Number(/Sent (\d+) probe/.exec(output)?.[1] ?? 0);
  const answers = [...byMac]
    .slice(0, MAX_ANSWERS)
    .map(([mac, replies]) => ({ mac, oui: mac.slice(0, 8), replies }));
  return { sent, answers };
}

/** What the probes show: findings in the order the advisor reads them. */
export function conflictFindings(
  duplicates: ArpAnswer[],
  gateway: { answers: ArpAnswer[]; cachedMac?: string } | undefined,
): Finding[] {
  const findings: Finding[] = [];
  if (duplicates.length > 0) findings.push('address-in-use');
  if (!gateway) return findings;
  if (gateway.answers.length > 1) findings.push('gateway-several-macs');
  const [only] = gateway.answers;
  if (gateway.answers.length === 1 && gateway.cachedMac && gateway.cachedMac !== only!.mac) {
    findings.push('gateway-mac-changed');
  }
  if (gateway.answers.length === 0) findings.push('gateway-silent');
  return findings;
}

async function arping(args: string[], timeoutMs: number): Promise<Arping> {
  const out = await run('arping', args, { timeoutMs });
  if (!/ARPING/.test(out.stdout)) {
    throw new Error(`arping could not probe: ${(out.stderr || out.stdout).trim().slice(0, 200)}`);
  }
  return parseArping(out.stdout);
}

async function cachedMac(iface: string, address: string): Promise<string | undefined> {
  const out = await run('ip', ['-j', 'neigh', 'show', 'to', address, 'dev', iface]);
  const entries = JSON.parse(out.stdout || '[]') as { lladdr?: string }[];
  return entries.find((e) => e.lladdr)?.lladdr?.toLowerCase();
}

export async function ipConflict(config: AgentConfig): Promise<Measured<'ip_conflict'>> {
  const iface = config.interface;
  const addresses = await ipv4Addresses(iface);
  const own = (addresses.find((a) => !a.linkLocal) ?? addresses[0])?.address;
  const router = await defaultGateway(iface);
  const seconds = checkThresholds.gatewayArpSeconds;
  const cached = router ? await cachedMac(iface, router) : undefined;
  // Both at once: DAD gives up after 2 probes 1 s apart; the gateway gets one probe a second.
  const [dad, gw] = await Promise.all([
    own ? arping(['-D', '-I', iface, '-c', '2', '-w', '3', own], 5000) : undefined,
    router
      ? arping(['-b', '-I', iface, '-w', String(seconds), router], (seconds + 3) * 1000)
      : undefined,
  ]);
  const duplicates = dad?.answers ?? [];
  const gateway =
    router && gw
      ? {
          address: router,
          probes: gw.sent,
          answers: gw.answers,
          ...(cached ? { cachedMac: cached } : {}),
        }
      : undefined;
  const findings = conflictFindings(duplicates, gateway);
  const data = { interface: iface, address: own, duplicates, gateway, findings };
  return { ok: findings.length === 0, data };
}
