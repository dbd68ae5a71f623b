import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

// The box's monitor, measured: the real loop and the real Linux probes (ping, a DNS
// lookup, an HTTP HEAD) in a network namespace of their own, against a small internet
// in a second one (documentation addresses; nothing leaves the two namespaces). Run
// faster than a box runs it, then put per day at the box's default interval: its CPU
// (the process and its pings) as a share of one core, and its bytes a day (everything
// on the box's interface, plus what the heartbeats carry for it). Needs root.

export const monitorTargets = { cpuPct: 1, mbPerDay: 5 };

export interface MonitorFootprintResult {
  section: 'monitor-footprint';
  intervals: number;
  cpuPct: { perDay: number; target: number };
  mbPerDay: { probes: number; heartbeats: number; total: number; target: number };
  ok: boolean;
}

const root = path.resolve(__dirname, '..');
const boxInterval = 60;
const systemPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const clockTicks = 100;
const targets = ['198.51.100.20', '203.0.113.20', '203.0.113.21'];
const resolver = '203.0.113.53';
const web = '198.51.100.80';

const sh = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { env: { ...process.env, PATH: systemPath }, encoding: 'utf8' });

/** CPU seconds of a process and of the children it waited for (its pings). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / clockTicks;
}

function buildNamespaces(prefix: string) {
  const [box, net] = [`${prefix}-box`, `${prefix}-net`];
  sh('ip', ['netns', 'add', box]);
  sh('ip', ['netns', 'add', net]);
  // The veth pair is made inside the box's namespace: the host's interfaces are never touched.
  sh('ip', ['-n', box, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'up0', 'netns', net]);
  for (const [ns, cmds] of [
    [
      box,
      [
        'link set lo up',
        'addr add 192.168.77.2/24 dev eth0',
        'link set eth0 up',
        'route add default via 192.168.77.1',
      ],
    ],
    [
      net,
      [
        'link set lo up',
        'addr add 192.168.77.1/24 dev up0',
        'link set up0 up',
        ...[...targets, resolver, web].map((a) => `addr add ${a}/32 dev lo`),
      ],
    ],
  ] as const) {
    for (const cmd of cmds) sh('ip', ['-n', ns, ...cmd.split(' ')]);
  }
  return { box, net };
}

const bytesOn = (ns: string) =>
  ['rx_bytes', 'tx_bytes']
    .map((f) =>
      Number(sh('ip', ['netns', 'exec', ns, 'cat', `/sys/class/net/eth0/statistics/${f}`])),
    )
    .reduce((a, b) => a + b, 0);

export async function measureMonitorFootprint({
  seconds = 30,
  intervalSeconds = 2,
  log = (line: string) => console.error(line),
} = {}): Promise<MonitorFootprintResult> {
  if (process.getuid?.() !== 0)
    throw new Error('The monitor footprint needs root (network namespaces).');
  const prefix = `zmb${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-bench-monitor-'));
  const children: ReturnType<typeof spawn>[] = [];
  const { box, net } = buildNamespaces(prefix);
  try {
    const inNet = (cmd: string, args: string[]) => {
      const child = spawn('ip', ['netns', 'exec', net, cmd, ...args], {
        env: { ...process.env, PATH: systemPath },
        stdio: 'ignore',
      });
      children.push(child);
    };
    inNet('dnsmasq', [
      '--keep-in-foreground',
      '--no-resolv',
      '--no-hosts',
      '--bind-interfaces',
      `--listen-address=${resolver}`,
      '--address=/www.example.com/' + web,
      `--pid-file=${path.join(dir, 'dnsmasq.pid')}`,
    ]);
    inNet(process.execPath, [
      '-e',
      `require('http').createServer((q, r) => r.end('success\\n')).listen(80, '${web}')`,
    ]);
    const resolvConf = path.join(dir, 'resolv.conf');
    writeFileSync(resolvConf, `nameserver ${resolver}\n`);
    const args = {
      iface: 'eth0',
      resolvConfPath: resolvConf,
      targets,
      dnsName: 'www.example.com',
      httpUrl: `http://${web}/success.txt`,
      intervalSeconds,
      queueFile: path.join(dir, 'queue.jsonl'),
    };
    const monitor = spawn(
      'ip',
      [
        'netns',
        'exec',
        box,
        process.execPath,
        '--import',
        'tsx',
        path.join(root, 'bench', 'monitorBox.ts'),
        JSON.stringify(args),
      ],
      {
        cwd: root,
        env: { ...process.env, PATH: systemPath },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(monitor);
    const lines = createInterface({ input: monitor.stdout! });
    const intervals: { failed: string[]; payloadBytes: number }[] = [];
    let firstSeen: (() => void) | undefined;
    const first = new Promise<void>((resolve) => (firstSeen = resolve));
    lines.on('line', (line) => {
      intervals.push(JSON.parse(line) as { failed: string[]; payloadBytes: number });
      firstSeen?.();
    });
    log('starting the monitor in its namespace...');
    await first;
    // Measured from the first interval on: start-up (loading the code) is not the monitor's.
    const counted = intervals.length;
    const cpuBefore = cpuSeconds(monitor.pid!);
    const bytesBefore = bytesOn(box);
    log(`measuring the monitor for ${seconds} s at ${intervalSeconds} s intervals...`);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpu = cpuSeconds(monitor.pid!) - cpuBefore;
    const bytes = bytesOn(box) - bytesBefore;
    const measured = intervals.slice(counted);
    if (measured.length === 0) throw new Error('The monitor ended no interval while measured.');
    const failedAny = measured.filter((i) => i.failed.length > 0).length;
    if (failedAny > 0)
      throw new Error(`${failedAny} interval(s) saw a failure: the bench network is broken.`);
    // Per interval, then per day at a box's interval (one minute).
    const perDay = 86_400 / boxInterval;
    const cpuPct = (cpu / measured.length / boxInterval) * 100;
    const probeMb = ((bytes / measured.length) * perDay) / 1e6;
    const payload = measured.reduce((n, i) => n + i.payloadBytes, 0) / measured.length;
    const heartbeatMb = (payload * perDay) / 1e6;
    const total = probeMb + heartbeatMb;
    const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
    return {
      section: 'monitor-footprint',
      intervals: measured.length,
      cpuPct: { perDay: round(cpuPct), target: monitorTargets.cpuPct },
      mbPerDay: {
        probes: round(probeMb, 2),
        heartbeats: round(heartbeatMb, 2),
        total: round(total, 2),
        target: monitorTargets.mbPerDay,
      },
      ok: cpuPct < monitorTargets.cpuPct && total < monitorTargets.mbPerDay,
    };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    for (const ns of [box, net]) {
      try {
        sh('ip', ['netns', 'pids', ns])
          .split('\n')
          .filter(Boolean)
          .forEach((pid) => process.kill(Number(pid), 'SIGKILL'));
        sh('ip', ['netns', 'del', ns]);
      } catch {
        // Already gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatMonitorFootprint(r: MonitorFootprintResult): string {
  const mark = (ok: boolean) => (ok ? 'ok' : 'OVER TARGET');
  return [
    `Monitor footprint (${r.intervals} intervals measured, per day at one a minute)`,
    `  CPU    ${r.cpuPct.perDay} % of a core                       target < ${r.cpuPct.target} %   ${mark(r.cpuPct.perDay < r.cpuPct.target)}`,
    `  data   ${r.mbPerDay.total} MB a day (probes ${r.mbPerDay.probes}, heartbeats ${r.mbPerDay.heartbeats})   target < ${r.mbPerDay.target} MB   ${mark(r.mbPerDay.total < r.mbPerDay.target)}`,
  ].join('\n');
}
