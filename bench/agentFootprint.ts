import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deviceHeartbeats } from '../observability/metrics';
import { Device } from '../store/models';
import globalSetup from '../test/globalSetup';
import globalTeardown from '../test/globalTeardown';
import { eventually, startTestStack } from '../test/support/stack';

// The real agent process at rest: connected to a real API (fresh Temporal dev
// server and FerretDB), sending its heartbeat every 30 s, no case running. Its memory (RSS) and
// CPU use are sampled from /proc, as on the Pi.

export const footprintTargets = { rssMb: 80, cpuPct: 2 };

export interface FootprintResult {
  section: 'agent-footprint';
  seconds: number;
  rssMb: { mean: number; max: number; target: number };
  cpuPct: { mean: number; target: number };
  heartbeats: number;
  ok: boolean;
}

const root = path.resolve(__dirname, '..');
const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU time (user + system) in seconds, and resident memory in MB, of one process. */
function sample(pid: number): { cpuSeconds: number; rssMb: number } {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / clockTicks;
  const rssKb = Number(
    /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1],
  );
  return { cpuSeconds, rssMb: rssKb / 1024 };
}

const round = (n: number) => Math.round(n * 100) / 100;

export async function measureAgentFootprint({
  seconds = 30,
  log = (line: string) => console.error(line),
} = {}): Promise<FootprintResult> {
  // Compiled as install.sh does, inside the project so it finds its packages.
  const build = path.join(root, 'dist', 'bench-agent');
  log('building the agent...');
  execFileSync(process.execPath, [path.join(root, 'agent', 'deploy', 'build.mjs'), build], {
    stdio: 'inherit',
  });
  log('starting Temporal dev server, FerretDB and the API...');
  await globalSetup();
  const stack = await startTestStack('bench_footprint', { worker: false });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-bench-agent-'));
  try {
    const tokenFile = path.join(dir, 'device-token');
    writeFileSync(tokenFile, `${stack.demo.device.token}\n`, { mode: 0o600 });
    const configFile = path.join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        apiUrl: stack.apiUrl,
        tokenFile,
        journalPath: path.join(dir, 'journal.json'),
      }),
    );
    // The agent as the systemd unit starts it.
    const agent = spawn(
      process.execPath,
      [path.join(build, 'agent', 'main.js'), '--config', configFile],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    try {
      const deviceId = stack.demo.device.deviceId;
      await eventually(
        async () => (await Device.findOne({ deviceId }).lean())?.status === 'online',
        { timeoutMs: 60_000, what: 'the agent to connect' },
      );
      // Let start-up work (module loading, the first heartbeat) settle first.
      await new Promise((r) => setTimeout(r, 3000));
      // The API runs in this process: its heartbeat counter is read directly.
      const heartbeatsSoFar = async () =>
        (await deviceHeartbeats.get()).values.reduce((sum, v) => sum + v.value, 0);
      const heartbeatsBefore = await heartbeatsSoFar();
      log(`measuring the idle agent (pid ${agent.pid}) for ${seconds} s...`);
      const first = sample(agent.pid!);
      const started = process.hrtime.bigint();
      const rss: number[] = [];
      for (let i = 0; i < seconds; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        rss.push(sample(agent.pid!).rssMb);
      }
      const heartbeats = (await heartbeatsSoFar()) - heartbeatsBefore;
      const last = sample(agent.pid!);
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      const cpuPct = ((last.cpuSeconds - first.cpuSeconds) / elapsed) * 100;
      const rssMean = rss.reduce((a, b) => a + b, 0) / rss.length;
      const rssMax = Math.max(...rss);
      return {
        section: 'agent-footprint',
        seconds,
        rssMb: { mean: round(rssMean), max: round(rssMax), target: footprintTargets.rssMb },
        cpuPct: { mean: round(cpuPct), target: footprintTargets.cpuPct },
        heartbeats,
        ok: rssMax < footprintTargets.rssMb && cpuPct < footprintTargets.cpuPct,
      };
    } finally {
      agent.kill('SIGTERM');
      await new Promise((r) => agent.once('exit', r));
    }
  } finally {
    await stack.stop();
    await globalTeardown();
    rmSync(dir, { recursive: true, force: true });
    rmSync(build, { recursive: true, force: true });
  }
}

export function formatFootprint(r: FootprintResult): string {
  const mark = (ok: boolean) => (ok ? 'ok' : 'OVER TARGET');
  return [
    `Agent footprint (idle, connected, ${r.heartbeats} heartbeats in ${r.seconds} s)`,
    `  RSS   mean ${r.rssMb.mean} MB, max ${r.rssMb.max} MB   target < ${r.rssMb.target} MB   ${mark(r.rssMb.max < r.rssMb.target)}`,
    `  CPU   mean ${r.cpuPct.mean} %                  target < ${r.cpuPct.target} %     ${mark(r.cpuPct.mean < r.cpuPct.target)}`,
  ].join('\n');
}
