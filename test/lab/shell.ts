import { spawn, type ChildProcess } from 'node:child_process';

// Running commands for the lab: one-shot tools (with stdin for nft) and
// long-lived daemons, each in its own process group so teardown can end it
// and everything it started.

export function exec(
  command: string,
  args: string[],
  { input, timeoutMs = 30_000 }: { input?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
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
    if (input !== undefined) {
      // A tool that exits before reading its input says why on stderr.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(input);
    }
  });
}

export interface Daemon {
  child: ChildProcess;
  /** What it printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export function daemon(command: string, args: string[], env?: NodeJS.ProcessEnv): Daemon {
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
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
