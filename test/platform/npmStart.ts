import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../../temporal-config/process';
import { eventually } from '../support/stack';

// `npm start` as a newcomer (or a process manager) runs it, on free ports with its own data dir.

const root = path.resolve(__dirname, '..', '..');

export interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts the product: `node scripts/start.mjs`, or with `viaNpm` the real `npm start`
 * (npm, its script shell, then start.mjs), as a process manager runs it.
 */
export function npmStart(env: NodeJS.ProcessEnv, { viaNpm = false } = {}): Started {
  const [command, args] = viaNpm
    ? ['npm', ['start']]
    : [process.execPath, [path.join(root, 'scripts', 'start.mjs')]];
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, output: () => output, exited };
}

export async function untilRunning(run: Started, timeoutMs = 240_000): Promise<void> {
  await eventually(async () => run.output().includes('is running'), {
    timeoutMs,
    what: 'npm start to be ready',
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n${run.output()}`);
  });
}

export async function freePorts() {
  return {
    API_PORT: String(await freePort()),
    PORTAL_PORT: String(await freePort()),
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    MONGO_PORT: String(await freePort()),
    WORKER_METRICS_PORT: String(await freePort()),
    TEMPORAL_SDK_METRICS_PORT: String(await freePort()),
  };
}

/** Every process below `pid` now, from /proc (children of children too). */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  const walk = (parent: number) => {
    let children = '';
    try {
      for (const task of readdirSync(`/proc/${parent}/task`)) {
        children += ' ' + readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8');
      }
    } catch {
      return;
    }
    for (const child of new Set(children.split(/\s+/).filter(Boolean).map(Number))) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

/** Alive and not a zombie waiting for its parent to read its exit. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function connectable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
