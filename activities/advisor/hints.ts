import { checkNames } from '../../contracts/checks';
import { checkThresholds, type CheckName, type CheckResult } from '../../contracts/diagnostics';
import type { Latest } from './guard';
import { deviceWords, wifiWords } from './lanRules';

// When every basic check passes, what is still worth measuring before calling a
// network healthy: faults the basic round cannot see, pointed at by the
// customer's words or by borderline values. The description is untrusted text:
// it is only matched against these fixed patterns and never copied into an
// answer, and all it can do is add checks from this table (it cannot choose a
// fix, a diagnosis or "healthy").

interface Hint {
  /** Named in the rationale instead of the customer's words. */
  symptom: string;
  words: RegExp;
  checks: CheckName[];
}

const slownessWords =
  /\bslow|\bspeed\b|\blag(s|gy|ging)?\b|\bchoppy|\bbuffering|\bfreez|\bvideo\s*(calls?|conferenc|meetings?)|\b(zoom|teams|meet)\s+calls?|\bcalls?\s+(drop|break)/i;

const hints: Hint[] = [
  // Some sites failing while others work: a lying resolver, a small MTU, a filter or an interceptor.
  {
    symptom: 'some websites failing',
    words:
      /\b(some|certain|several|many|most)\s+(web)?(sites?|pages?)\b|\b(web)?sites?\b.{0,40}\b(not|n't|never|fail)/i,
    checks: ['dns_integrity', 'path_mtu', 'captive_portal', 'tcp_tls'],
  },
  {
    symptom: 'slowness',
    words: /\bslow|\bhangs?\b|\bstall/i,
    checks: ['dns_integrity', 'path_mtu'],
  },
  { symptom: 'a VPN', words: /\bvpn\b/i, checks: ['path_mtu', 'tcp_tls'] },
  { symptom: 'email', words: /\be-?mails?\b|\boutlook\b/i, checks: ['tcp_tls', 'dns_integrity'] },
  {
    symptom: 'a login page',
    words: /\b(log-?in|sign-?in)\s+page|\bportal\b|\bguest\s+(wi-?fi|network)/i,
    checks: ['captive_portal'],
  },
  {
    symptom: 'certificate warnings',
    words: /\bcertificate|\bnot\s+secure\b|\bsecurity\s+warning|\bprivacy\s+error/i,
    checks: ['clock_offset', 'tcp_tls', 'captive_portal'],
  },
  // Some computers offline while the box is fine: another DHCP server, or a resolver it hands out.
  {
    symptom: 'some devices offline',
    words:
      /\b(some|other|new|certain|few|several|two|three|half)\b(\s+(of|our|the|my|office|desk|work))*\s+(computers?|pcs?|laptops?|devices?|phones?|machines?|workstations?)\b|\baddress\s+conflict/i,
    checks: ['dhcp_servers', 'dns_integrity', 'router_api'],
  },
  // "Slow internet", lag and choppy calls: the line's rate, and its queue under load.
  {
    symptom: 'a slow or laggy connection',
    words: slownessWords,
    checks: ['throughput', 'latency_under_load'],
  },
  // Two devices on one address: Windows and macOS name it; otherwise short drop-outs for everyone.
  {
    symptom: 'an address conflict',
    words:
      /\b(ip\s+)?address\s+conflict|\bconflict(s|ing)?\b.{0,30}\baddress|\bduplicate\s+(ip|address)/i,
    checks: ['ip_conflict'],
  },
  {
    symptom: 'drop-outs',
    words:
      /\b(drops?|dropping|cuts?|cutting)\s+(out|off)\b|\bkeeps?\s+(dropping|disconnecting)|\bintermittent|\bcomes?\s+and\s+goes?\b|\bdrop-?outs?\b/i,
    checks: ['ip_conflict', 'wifi'],
  },
  { symptom: 'the Wi-Fi', words: wifiWords, checks: ['wifi'] },
  // Pages that stall before they load, often after a change of provider: IPv6 that leads nowhere.
  {
    symptom: 'stalling pages or apps',
    words:
      /\b(some|certain|several|many|most)\s+(web)?(sites?|pages?|apps?)\b|\bslow|\bstall|\bhangs?\b|\btakes?\s+(ages|forever|long)|\btime[sd]?\s*out/i,
    checks: ['ipv6'],
  },
  {
    symptom: 'a new provider or modem',
    words: /\b(new|changed?|switched|another)\s+(internet\s+)?(provider|isp|modem|router|line)\b/i,
    checks: ['ipv6', 'path_mtu'],
  },
  // A device the network serves (a printer, a NAS, a camera, a desk phone): is it there, does it answer?
  {
    symptom: 'a device on the network',
    words: new RegExp(
      Object.values(deviceWords)
        .map((words) => words.source)
        .join('|'),
      'i',
    ),
    checks: ['lan_inventory'],
  },
];

/** Whether the customer describes slowness, lag or poor calls (matched only, never copied). */
export function describesSlowness(description: string | undefined): boolean {
  return description !== undefined && slownessWords.test(description);
}

/** The most checks one `more_checks` answer may name (contracts/advice.ts). */
const MAX_CHECKS_PER_ROUND = 11;

export interface Suspicion {
  checks: CheckName[];
  rationale: string;
}

/** Long-tail checks not yet run that the description or borderline values point at; undefined when none. */
export function worthChecking(
  description: string | undefined,
  r: Latest,
  alreadyRun: readonly CheckResult[] = [],
): Suspicion | undefined {
  const reasons: string[] = [];
  const wanted = new Set<CheckName>();
  for (const hint of hints) {
    if (description && hint.words.test(description)) {
      reasons.push(`the customer describes ${hint.symptom}`);
      hint.checks.forEach((check) => wanted.add(check));
    }
  }
  const resolverMs = r.dns?.data.configured.ms;
  if (resolverMs !== undefined && resolverMs > checkThresholds.dnsSlowMs) {
    reasons.push(`the configured resolver took ${resolverMs} ms`);
    wanted.add('dns_integrity');
  }
  const internetMs = (r.internet?.data.targets ?? []).map((t) => t.avgMs ?? 0);
  if (internetMs.length > 0 && Math.min(...internetMs) > checkThresholds.maxIdleRttMs) {
    reasons.push(`the internet round trip is ${Math.round(Math.min(...internetMs))} ms`);
    wanted.add('latency_under_load');
  }
  // A check that ran but could not measure (a speed test skipped on LTE) is not asked again;
  // at most what one round may ask for (contracts/advice.ts), the rest in the next round.
  const checks = checkNames
    .filter(
      (name) => wanted.has(name) && !r[name] && !alreadyRun.some((result) => result.check === name),
    )
    .slice(0, MAX_CHECKS_PER_ROUND);
  if (checks.length === 0) return undefined;
  return {
    checks,
    rationale: `The basic checks pass, but ${reasons.join(' and ')}: faults the basic round cannot see are measured before calling the network healthy.`,
  };
}
