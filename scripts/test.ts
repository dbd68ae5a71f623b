import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureTools } from '../temporal-config/tools';
import { ensurePortalBuilt } from './portalBuild';

// `npm test`: installs what the tests need, then runs jest against real servers
// (its global setup starts a fresh Temporal dev server and FerretDB).

// Debian packages the tests use, by the command each provides.
const debianPackages: Record<string, string> = {
  'docker-compose': 'docker-compose',
  // The portal's browser tests drive Debian's chromium through playwright-core.
  chromium: 'chromium',
  // The network lab (test/lab). dnsmasq-base is dnsmasq without its system service:
  // the lab runs its own, inside its namespaces.
  ip: 'iproute2',
  ss: 'iproute2',
  nft: 'nftables',
  dnsmasq: 'dnsmasq-base',
  socat: 'socat',
  udhcpc: 'udhcpc',
  ping: 'iputils-ping',
  arping: 'iputils-arping',
  traceroute: 'traceroute',
  sysctl: 'procps',
  // The lab's Pi under NetworkManager (test/lab/networkManager.test.ts): the real NM, its
  // system bus and polkit (polkitd is not on PATH). The host's own NetworkManager must
  // never start from this install: see ensureDebianPackages.
  NetworkManager: 'network-manager',
  nmcli: 'network-manager',
  'dbus-daemon': 'dbus',
  'dbus-send': 'dbus-bin',
  '/usr/lib/polkit-1/polkitd': 'polkitd',
  setpriv: 'util-linux',
  // The agent's install script is checked with shellcheck.
  shellcheck: 'shellcheck',
};

/** System directories only: node_modules/.bin has an unrelated `nft` (a file tracer). */
const systemPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function ensureDebianPackages() {
  const installed = (command: string) =>
    spawnSync('sh', ['-c', `command -v ${command}`], { env: { PATH: systemPath } }).status === 0;
  const missing = [
    ...new Set(
      Object.entries(debianPackages)
        .filter(([command]) => !installed(command))
        .map(([, pkg]) => pkg),
    ),
  ];
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.warn(
      `Not root: cannot install ${missing.join(', ')}; tests that need them will say so.`,
    );
    return;
  }
  console.log(`Installing Debian packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (missing.includes('network-manager') && existsSync('/run/systemd/system')) {
    // Masked first, so the package cannot start NetworkManager on the host's interfaces.
    spawnSync('systemctl', ['mask', 'NetworkManager.service'], { stdio: 'inherit' });
  }
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', ...missing], {
    stdio: 'inherit',
    env,
  });
  if (update.status !== 0 || install.status !== 0) {
    throw new Error(`apt-get could not install ${missing.join(', ')}`);
  }
}

interface JestSummary {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

async function main() {
  ensureDebianPackages();
  await ensureTools();
  await ensurePortalBuilt((line) => console.log(line));

  const resultsDir = mkdtempSync(path.join(os.tmpdir(), 'zen-jest-'));
  const resultsFile = path.join(resultsDir, 'results.json');
  const jest = require.resolve('jest/bin/jest');
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [jest, '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)],
      { stdio: 'inherit' },
    );
    child.on('exit', (c) => resolve(c ?? 1));
  });
  try {
    const summary = JSON.parse(readFileSync(resultsFile, 'utf8')) as JestSummary;
    const skipped = summary.numPendingTests + summary.numTodoTests;
    // The plain closing line that CI reads.
    console.log(
      `${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped`,
    );
  } catch {
    console.log('jest wrote no results');
  }
  rmSync(resultsDir, { recursive: true, force: true });
  process.exit(code);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
