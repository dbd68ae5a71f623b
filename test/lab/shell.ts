import { spawn, type ChildProcess } from 'node:child_process';

// Running commands for the lab: one-shot tools and long-lived daemons, each
// daemon in its own process group so teardown can end it and all it started.

/**
 * The system's tools only: under npm, node_modules/.bin comes first on PATH
 * and has its own `nft` (a file tracer), which would silently do nothing here.
 */
export const systemPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const env = () => ({ ...process.env, PATH: systemPath });

export function exec(
  command: string,
  args: string[],
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: env(),
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => (stdout += d));
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else
        reject(
          new Error(`${command} ${args.join(' ')} failed (${code ?? signal}): ${stderr || stdout}`),
        );
    });
  });
}

export interface Daemon {
  child: ChildProcess;
  /** What it printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export function daemon(command: string, args: string[]): Daemon {
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: env(),
  });
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const killed = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }, 3000);
      await exited;
      clearTimeout(killed);
    },
  };
}
