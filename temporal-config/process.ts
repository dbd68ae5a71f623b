import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

// Supervision of the local child processes: the dev servers, and the
// product's own services when `npm start` runs them.

export interface Service {
  name: string;
  child: ChildProcess;
  /** Resolves when the process has exited (for any reason). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Append output to this file (the noisy servers). */
  logFile?: string;
  /** Otherwise print each line with a `[name]` prefix. */
  echo?: (line: string) => void;
}

export function spawnService(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions = {},
): Service {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: Ctrl-C reaches only the supervisor, which stops
    // children in order instead of all of them dying at once.
    detached: true,
  });
  // ...and if the supervisor dies anyway, its children do not outlive it.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  if (options.logFile) {
    mkdirSync(path.dirname(options.logFile), { recursive: true });
    const out = createWriteStream(options.logFile, { flags: 'a' });
    // Ended once both pipes are done: the first to end would otherwise end the file while the
    // other still writes (a kill -9 closes them in either order), an uncaught error here.
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    child.once('close', () => out.end());
  } else {
    const echo = options.echo ?? ((line: string) => console.log(line));
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) if (line) echo(`[${name}] ${line}`);
      });
    }
  }
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      process.removeListener('exit', orphanGuard);
      resolve(code);
    });
    child.on('error', () => resolve(-1));
  });
  return {
    name,
    child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Fails with a message naming the port and the variable that moves it. */
export async function assertPortFree(port: number, variable: string, host = '127.0.0.1') {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `Port ${port} is already in use (${variable}). Stop what uses it, or set ${variable} to a free port.`
            : `Port ${port} (${variable}) cannot be used: ${err.message}`,
        ),
      ),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

// A port taken "free" now and bound seconds later must not be one the kernel may hand to an
// outgoing connection meanwhile: port 0 draws from the ephemeral range (32768-60999 by default),
// the same range every connect() takes its local port from, and under a busy test run one did
// take a Temporal server's port before it bound. So ports are drawn below that range (which also
// keeps them within the Temporal membership table's SMALLINT), checked free, and never handed out
// twice by one process.
const drawnPorts = { from: 20_000, to: Math.min(32_767, ephemeralRangeStart() - 1) };
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  const { from, to } = drawnPorts;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`No free port between ${from} and ${to}`);
}

function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/);
    const start = Number(low);
    return start > 21_000 ? start : 32_768;
  } catch {
    return 32_768;
  }
}

export function canListen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Polls `probe` until it resolves, the service dies, or time runs out. */
export async function waitUntilReady(
  service: Service,
  probe: () => Promise<unknown>,
  { timeoutMs = 60_000, logFile }: { timeoutMs?: number; logFile?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let died = false;
  void service.exited.then(() => (died = true));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (died) break;
    try {
      await probe();
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const tail = logFile ? `\n--- last lines of ${logFile} ---\n${tailOf(logFile)}` : '';
  const why = died
    ? `exited with code ${service.child.exitCode}`
    : `not ready after ${timeoutMs / 1000}s (${String(lastError)})`;
  await service.stop();
  throw new Error(`${service.name} ${why}${tail}`);
}

function tailOf(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function tcpProbe(port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** A process that can die and come back, on the same port and data. */
export interface Restartable {
  readonly name: string;
  pid(): number;
  /** Resolves when the running instance exits, for whatever reason. */
  exited(): Promise<number | null>;
  /** kill -9, and wait until it is gone. */
  kill(): Promise<void>;
  /** Starts it again (after kill) and waits until it serves. */
  start(): Promise<void>;
  /** SIGTERM, as at the end of a run. */
  stop(): Promise<void>;
}

export async function restartable(
  name: string,
  launch: () => Promise<Service>,
): Promise<Restartable> {
  let service = await launch();
  return {
    name,
    pid: () => service.child.pid!,
    exited: () => service.exited,
    async kill() {
      if (service.child.exitCode === null && service.child.signalCode === null) {
        service.child.kill('SIGKILL');
      }
      await service.exited;
    },
    async start() {
      service = await launch();
    },
    stop: () => service.stop(),
  };
}
