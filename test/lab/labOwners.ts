import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exec } from './shell';

// Which test process owns which lab: a lab whose test process died before its
// teardown (killed, crashed) is removed by the next lab built.

export interface LabOwner {
  pid: number;
  dir: string;
  /** Processes the lab keeps on the host, outside its namespaces. */
  hostPids: number[];
}

/** One file per lab in use, named by its prefix: see sweepAbandonedLabs. */
const ownersDir = path.join(os.tmpdir(), 'zen-lab-owners');

export async function removeNamespaces(names: string[]): Promise<void> {
  for (const ns of names) {
    // Anything still running inside (a daemon that left its group) would keep it alive.
    const pids = await exec('ip', ['netns', 'pids', ns]).catch(() => '');
    for (const pid of pids.split(/\s+/).filter(Boolean)) killQuietly(Number(pid));
    await exec('ip', ['netns', 'del', ns]).catch(() => undefined);
  }
}

function killQuietly(pid: number) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes the labs of test processes that died before their teardown (killed, crashed). */
export async function sweepAbandonedLabs(roles: readonly string[]): Promise<void> {
  mkdirSync(ownersDir, { recursive: true });
  for (const prefix of readdirSync(ownersDir)) {
    const file = path.join(ownersDir, prefix);
    let owner: LabOwner;
    try {
      owner = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue; // Being written right now.
    }
    if (isAlive(owner.pid)) continue;
    owner.hostPids.forEach(killQuietly);
    await removeNamespaces(roles.map((role) => `${prefix}-${role}`));
    rmSync(owner.dir, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
}

export function recordLabOwner(prefix: string, owner: LabOwner): void {
  mkdirSync(ownersDir, { recursive: true });
  writeFileSync(path.join(ownersDir, prefix), JSON.stringify(owner));
}

export function forgetLabOwner(prefix: string): void {
  rmSync(path.join(ownersDir, prefix), { force: true });
}
