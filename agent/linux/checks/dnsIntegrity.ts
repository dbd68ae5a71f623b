import { checkThresholds } from '../../../contracts/diagnostics';
import type { AgentConfig } from '../../config';
import type { Measured } from '../checks';
import { nameservers } from '../resolvConf';
import { askResolver, type DnsAnswer } from './resolve';

// Does the office's resolver tell the truth, in time? The test name is a
// public one, asked of the configured resolver and of the reference resolver
// at once. A resolver that says a real name does not exist, answers a public
// name with a private address, or answers something else entirely is
// hijacked, filtered or broken, even when the `dns` check sees "an answer".

type Data = Measured<'dns_integrity'>['data'];
type Finding = Data['findings'][number];

/** RFC 1918, loopback, link-local, "this network" and carrier-grade NAT: never a public name's address. */
export function isPrivateAddress(address: string): boolean {
  const [a, b] = address.split('.').map(Number) as [number, number];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b < 32) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b < 128)
  );
}

/** What is wrong with the configured resolver's answer, judged against the reference's. */
export function dnsFindings(configured: DnsAnswer, reference: DnsAnswer): Finding[] {
  const findings: Finding[] = [];
  const referenceAnswered = reference.outcome === 'answered';
  if (configured.outcome === 'nxdomain' && referenceAnswered) findings.push('nxdomain');
  else if (configured.outcome !== 'answered') findings.push('no-answer');
  if (configured.addresses.some(isPrivateAddress)) findings.push('private-answer');
  const shared = configured.addresses.some((a) => reference.addresses.includes(a));
  if (configured.outcome === 'answered' && referenceAnswered && !shared) {
    findings.push('answers-differ');
  }
  if (configured.ms !== undefined && configured.ms > checkThresholds.dnsSlowMs) {
    findings.push('slow');
  }
  return findings;
}

export async function dnsIntegrity(config: AgentConfig): Promise<Measured<'dns_integrity'>> {
  const [server] = nameservers(config.resolvConfPath);
  const name = config.dnsTestName;
  // One try each, 3 s: a retry would hide exactly the slowness this check is after.
  const ask = (address: string) => askResolver(address, name, { timeoutMs: 3000, tries: 1 });
  const [configured, reference] = await Promise.all([
    server ? ask(server) : Promise.resolve<DnsAnswer>({ outcome: 'error', addresses: [] }),
    ask(config.referenceResolver),
  ]);
  const findings = dnsFindings(configured, reference);
  const data = {
    name,
    slowThresholdMs: checkThresholds.dnsSlowMs,
    configured: { server, ...configured },
    reference: { server: config.referenceResolver, ...reference },
    findings,
  };
  return { ok: findings.length === 0, data };
}
