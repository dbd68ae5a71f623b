import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// Debian packages the tests use, by the command each provides. `name=version` pins one.
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
  // never start from this install: see hostServices.
  NetworkManager: 'network-manager',
  nmcli: 'network-manager',
  'dbus-daemon': 'dbus',
  'dbus-send': 'dbus-bin',
  '/usr/lib/polkit-1/polkitd': 'polkitd',
  setpriv: 'util-linux',
  // The agent's install script is checked with shellcheck.
  shellcheck: 'shellcheck',
  // The alert rules are checked and unit-tested with promtool (test/observability). Pinned to
  // the release the rules are written for; its Prometheus server must not start (hostServices).
  promtool: 'prometheus=2.42.0+ds-5+deb12u1',
  // The production shape on one machine (cluster/): PostgreSQL under Temporal and FerretDB,
  // HAProxy in front of the API instances. Neither's own system service may start (hostServices).
  '/usr/lib/postgresql/15/bin/postgres': 'postgresql-15',
  haproxy: 'haproxy=2.6.12-1+deb12u4',
};

// Services that come with a package but must never run on the host: masked before the install.
const hostServices: Record<string, string> = {
  'network-manager': 'NetworkManager.service',
  prometheus: 'prometheus.service',
  'postgresql-15': 'postgresql.service',
  haproxy: 'haproxy.service',
};

// Installed without their recommended packages (prometheus would bring a node exporter service).
const withoutRecommends = new Set(['prometheus']);

/** System directories only: node_modules/.bin has an unrelated `nft` (a file tracer). */
const systemPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const packageName = (pkg: string) => pkg.split('=')[0]!;

function aptInstall(packages: string[], flags: string[], env: NodeJS.ProcessEnv) {
  if (packages.length === 0) return true;
  console.log(`Installing Debian packages: ${packages.join(', ')}`);
  const install = spawnSync('apt-get', ['install', '-y', ...flags, ...packages], {
    stdio: 'inherit',
    env,
  });
  return install.status === 0;
}

/** Installs (as root) the Debian packages whose commands are missing. */
export function ensureDebianPackages() {
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
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (existsSync('/run/systemd/system')) {
    for (const pkg of missing) {
      const service = hostServices[packageName(pkg)];
      if (service) spawnSync('systemctl', ['mask', service], { stdio: 'inherit' });
    }
  }
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const plain = missing.filter((pkg) => !withoutRecommends.has(packageName(pkg)));
  const lean = missing.filter((pkg) => withoutRecommends.has(packageName(pkg)));
  // -q (not -qq) for the lean ones: each unpack and set-up step shows as it happens.
  const ok =
    update.status === 0 &&
    aptInstall(plain, ['-qq'], env) &&
    aptInstall(lean, ['-q', '--no-install-recommends'], env);
  if (!ok) throw new Error(`apt-get could not install ${missing.join(', ')}`);
}
