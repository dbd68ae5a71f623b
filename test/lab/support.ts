import { spawnSync } from 'node:child_process';
import type { CheckResult } from '../../contracts/diagnostics';
import { systemPath } from './shell';

// The lab needs root and a few Debian tools. Without them its tests skip and
// say why; in CI they must run, so there a missing piece fails the run.

/** The commands the lab and the real agent use (scripts/test.ts installs them as root). */
export const labCommands = [
  'ip',
  'ss',
  'nft',
  'dnsmasq',
  'socat',
  'udhcpc',
  'ping',
  'traceroute',
  'sysctl',
];

function unavailableBecause(extraCommands: string[]): string | undefined {
  if (process.platform !== 'linux') return 'it needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'it needs root for network namespaces and nftables';
  const missing = [...labCommands, ...extraCommands].filter(
    (command) =>
      spawnSync('sh', ['-c', `command -v ${command}`], { env: { PATH: systemPath } }).status !== 0,
  );
  if (missing.length > 0) return `these tools are missing: ${missing.join(', ')}`;
  return undefined;
}

/** `extraCommands`: what this test file needs beyond the lab's own tools. */
export function describeLab(name: string, body: () => void, extraCommands: string[] = []): void {
  const reason = unavailableBecause(extraCommands);
  if (!reason) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('runs in CI', () => {
        throw new Error(`The network lab must run in CI, but ${reason}.`);
      });
    });
  } else {
    console.warn(`Skipping the network lab (${name}): ${reason}.`);
    describe.skip(name, body);
  }
}

/** The names of the checks that failed, sorted. */
export function failing(results: CheckResult[]): string[] {
  return results
    .filter((r) => !r.ok)
    .map((r) => r.check)
    .sort();
}

/** A case's end as its scenario expects it: status, category and the one fix carried out. */
export function expectCaseEnd(
  name: string,
  final: { status: string; issueCategory?: string; actionsTaken: string[]; results: unknown[] },
  expected: { status: string; category: string; action?: string },
): void {
  console.log(
    `${name}: ended ${final.status}; failing at the end: ${failing(final.results as CheckResult[]).join(', ') || 'none'}`,
  );
  expect({ status: final.status, category: final.issueCategory }).toEqual({
    status: expected.status,
    category: expected.category,
  });
  expect(final.actionsTaken).toEqual(expected.action ? [expected.action] : []);
}
