import { execFile } from 'node:child_process';

// Runs a Linux tool with a time limit and hands back what it printed. A tool
// that exits non-zero is not an error here: ping says "no answer" that way.

export interface ToolOutput {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  command: string,
  args: string[],
  { timeoutMs = 10_000, env }: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<ToolOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20, env: env ?? process.env },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          const why = err.killed ? `timed out after ${timeoutMs} ms` : err.message;
          reject(new Error(`${command} ${args.join(' ')}: ${why}`));
          return;
        }
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
      },
    );
  });
}

/** Runs a tool that must succeed; its complaint becomes the error. */
export async function runOrThrow(
  command: string,
  args: string[],
  options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv },
): Promise<string> {
  const out = await run(command, args, options);
  if (out.code !== 0) {
    const detail = (out.stderr || out.stdout).trim().slice(0, 300);
    throw new Error(`${command} ${args.join(' ')} failed (exit ${out.code}): ${detail}`);
  }
  return out.stdout;
}

/** Rejects when `work` takes longer than `ms`. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
