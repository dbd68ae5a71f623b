import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { connectTemporal } from '../temporal-config/client';
import type { Restartable } from '../temporal-config/process';
import { seedDemo, type DemoCredentials } from '../scripts/seed';
import { connectStore, disconnectStore } from '../store/connection';
import { cpuSecondsOf, memoryOf } from '../test/support/processStack';
import { startShape, type Measured, type Shape } from './shapes';

// The stack a bench section measures, in either shape (bench/shapes.ts): the API and
// the worker as their own processes, on a fresh Temporal dev server and FerretDB (or on
// the running ones that TEMPORAL_ADDRESS and MONGO_URL point at, in a database of its
// own), or the production shape's cluster with two of each behind HAProxy.

/** Fixed cases settle this long after a fix instead of a minute: simulated networks settle at once. */
export const benchSettleSeconds = 1;

export interface BenchStack {
  shape: Shape;
  dir: string;
  /** Where boxes and customers reach the API (HAProxy's front in a cluster). */
  apiUrl: string;
  /** Each API instance's own address, as `apis`. */
  apiUrls: string[];
  client: Client;
  demo: DemoCredentials;
  apis: Restartable[];
  workers: Restartable[];
  temporalAddress: string;
  namespace: string;
  mongoUrl: string;
  taskQueue: string;
  /** Why an API process died, each time one did (it is restarted). */
  apiCrashes: string[];
  /** The servers started for this run, by name; empty when running ones are used. */
  servers: Record<string, Measured>;
  /** Stops a worker on purpose (not a death that ends the run), and starts it again. */
  restWorker(worker: Restartable): Promise<void>;
  wakeWorker(worker: Restartable): Promise<void>;
}

export interface BenchStackOptions {
  shape?: Shape;
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export async function withBenchStack<T>(
  label: string,
  run: (stack: BenchStack) => Promise<T>,
  { shape = 'dev', env = {}, log = (line: string) => console.error(line) }: BenchStackOptions = {},
): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `zen-bench-${label}-`));
  const stops: (() => Promise<void>)[] = [];
  try {
    const started = await startShape(shape, {
      dir,
      label,
      env: { CASE_SETTLE_AFTER_FIX_SECONDS: String(benchSettleSeconds), ...env },
      log,
    });
    stops.push(() => started.stop());
    await connectStore(started.mongoUrl);
    stops.push(() => disconnectStore());
    const demo = await seedDemo(dir, { deviceId: `pi-bench-${randomUUID().slice(0, 8)}` });
    const temporal = await connectTemporal({
      address: started.temporalAddress,
      namespace: started.namespace,
    });
    stops.push(() => temporal.close());
    const { client } = temporal;
    // An API that dies is restarted, as a service manager would, and each crash is
    // reported; a dead worker ends the run with its last words.
    const apiCrashes: string[] = [];
    let stopping = false;
    stops.push(async () => void (stopping = true));
    const logOf = (kind: 'api' | 'worker', i: number) => logFile(dir, shape, kind, i);
    started.apis.forEach((api, i) => {
      void (async () => {
        for (;;) {
          const code = await api.exited();
          if (stopping) return;
          const cause = crashCause(logOf('api', i));
          apiCrashes.push(`exit ${code}: ${cause}`);
          log(`an API process died (${cause}); restarting it`);
          await api.start().catch(() => undefined);
        }
      })();
    });
    // A worker the section stopped on purpose (restWorker) is not a death.
    const resting = new Set<Restartable>();
    const died = new Promise<never>((_, reject) => {
      started.workers.forEach((worker, i) => {
        void (async () => {
          for (;;) {
            const code = await worker.exited();
            if (stopping) return;
            if (resting.has(worker)) {
              while (resting.has(worker) && !stopping) await new Promise((r) => setTimeout(r, 200));
              continue;
            }
            const tail = lastLines(logOf('worker', i), 30);
            return reject(
              new Error(`A worker process exited (code ${code}) during the run:\n${tail}`),
            );
          }
        })();
      });
    });
    const measured = run({
      shape,
      dir,
      apiUrl: started.apiUrl,
      apiUrls: started.apiUrls,
      client,
      demo,
      apis: started.apis,
      workers: started.workers,
      temporalAddress: started.temporalAddress,
      namespace: started.namespace,
      mongoUrl: started.mongoUrl,
      taskQueue: started.taskQueue,
      servers: started.servers,
      apiCrashes,
      async restWorker(worker) {
        resting.add(worker);
        await worker.stop();
      },
      async wakeWorker(worker) {
        await worker.start();
        resting.delete(worker);
      },
    });
    measured.catch(() => undefined);
    return await Promise.race([measured, died]).catch((err: Error) => {
      if (apiCrashes.length === 0) throw err;
      throw new Error(
        `${err.message}\nThe API process died ${apiCrashes.length} time(s) during the run:\n  ${apiCrashes.join('\n  ')}`,
      );
    });
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where a process of the run writes its log. */
function logFile(dir: string, shape: Shape, kind: 'api' | 'worker', i: number) {
  if (shape === 'dev') return path.join(dir, `${kind}.log`);
  // The cluster names its processes api-1, api-2, worker-1, ... (cluster/index.ts).
  return path.join(dir, 'logs', `${kind}-${i + 1}.log`);
}

function lastLines(file: string, count: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}

/** The error and the first line of the product's own code in a crash's stack trace. */
function crashCause(logFile: string): string {
  const lines = lastLines(logFile, 60).split('\n');
  const at = Math.max(
    0,
    lines.findLastIndex((l) => /\w*Error: /.test(l)),
  );
  const error = lines[at] ?? '';
  const where = lines.slice(at).find((l) => /\bat .*\/(api|store|activities)\//.test(l)) ?? '';
  const file = /\/((?:api|store|activities)\/[^)\s]+)/.exec(where)?.[1] ?? 'unknown place';
  // FerretDB prefixes its messages with its Go stack, [file.go:line ...] each.
  const message = error.replace(/^\[api\]\s*/, '').replace(/\[[^\]]*\]\s*/g, '');
  return `${message.slice(0, 240)} (at ${file})`;
}

/** Names each of several processes of one kind: "api" when alone, "api 1", "api 2" when not. */
export function named<T>(kind: string, items: T[]): [string, T][] {
  return items.map((item, i) => [items.length === 1 ? kind : `${kind} ${i + 1}`, item]);
}

/** CPU seconds a process and its children have used (PostgreSQL serves each connection from a child). */
export function cpuSecondsOfTree(pid: number): number {
  try {
    let total = cpuSecondsOf(pid);
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(' ') : []) {
        total += cpuSecondsOfTree(Number(child));
      }
    }
    return total;
  } catch {
    // A child that ended between the listing and the reading.
    return 0;
  }
}

/** Resident memory of several processes of one kind, summed (MB): now and each one's peak. */
export function memoryOfAll(processes: Measured[]): { rssMb: number; peakRssMb: number } {
  const each = processes.map((p) => memoryOf(p.pid()));
  return {
    rssMb: each.reduce((sum, m) => sum + m.rssMb, 0),
    peakRssMb: each.reduce((sum, m) => sum + m.peakRssMb, 0),
  };
}

/** CPU seconds a running process has used; 0 for one that is stopped (restWorker). */
function cpuSecondsIfRunning(pid: number): number {
  try {
    return cpuSecondsOf(pid);
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by each process of the run (the servers when they are the run's own). */
export function cpuByProcess(stack: BenchStack): Record<string, number> {
  const own = process.cpuUsage();
  const cpu: Record<string, number> = {
    ...Object.fromEntries(
      named('api', stack.apis).map(([n, p]) => [n, cpuSecondsIfRunning(p.pid())]),
    ),
    ...Object.fromEntries(
      named('worker', stack.workers).map(([n, p]) => [n, cpuSecondsIfRunning(p.pid())]),
    ),
    'bench (devices, customer)': (own.user + own.system) / 1e6,
  };
  for (const [name, server] of Object.entries(stack.servers)) {
    cpu[name] = cpuSecondsOfTree(server.pid());
  }
  return cpu;
}

/** Whether a name given by `named` is of that kind ("api 2" is an "api"). */
export function isOfKind(name: string, kind: string): boolean {
  return name === kind || new RegExp(`^${kind} \\d+$`).test(name);
}

/** The CPU seconds of every process of one kind ("api", "worker") in a reading, summed. */
export function cpuOfKind(cpu: Record<string, number>, kind: string): number {
  return Object.entries(cpu)
    .filter(([name]) => isOfKind(name, kind))
    .reduce((sum, [, seconds]) => sum + seconds, 0);
}

/** CPU seconds used between two readings of cpuByProcess. */
export function cpuBetween(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([name, s]) => [name, Math.round((s - before[name]!) * 10) / 10]),
  );
}
