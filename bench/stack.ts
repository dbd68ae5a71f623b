import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { connectTemporal } from '../temporal-config/client';
import { loadConfig } from '../config';
import { seedDemo, type DemoCredentials } from '../scripts/seed';
import { connectStore, disconnectStore } from '../store/connection';
import { namespace } from '../temporal-config/dev-servers';
import { isToolCurrent } from '../temporal-config/tools';
import {
  cpuSecondsOf,
  startProduct,
  startServers,
  type ProductProcesses,
  type Servers,
} from '../test/support/processStack';

// The stack a bench section measures: the API and the worker as their own
// processes, on a fresh Temporal dev server and FerretDB (or on the running
// ones that TEMPORAL_ADDRESS and MONGO_URL point at, in a database of its own).

/** Fixed cases settle this long after a fix instead of a minute: simulated networks settle at once. */
export const benchSettleSeconds = 1;

export interface BenchStack {
  dir: string;
  apiUrl: string;
  client: Client;
  demo: DemoCredentials;
  product: ProductProcesses;
  temporalAddress: string;
  mongoUrl: string;
  taskQueue: string;
  /** Why the API process died, each time it did (it is restarted). */
  apiCrashes: string[];
  /** The dev servers, when started for this run. */
  servers?: Servers;
}

export async function withBenchStack<T>(
  label: string,
  run: (stack: BenchStack) => Promise<T>,
  { env = {}, log = (line: string) => console.error(line) } = {},
): Promise<T> {
  const config = loadConfig();
  const dir = mkdtempSync(path.join(os.tmpdir(), `zen-bench-${label}-`));
  const reuse = !config.temporal.local && !config.mongo.local;
  const stops: (() => Promise<void>)[] = [];
  try {
    let temporalAddress = config.temporal.address;
    let mongoServer = config.mongo.url;
    let servers: Servers | undefined;
    if (reuse) {
      log(`using the running Temporal (${temporalAddress}) and MongoDB`);
    } else {
      for (const tool of ['temporal', 'ferretdb'] as const) {
        if (!isToolCurrent(tool)) throw new Error(`${tool} is not built: run \`npm run tools\`.`);
      }
      log('starting a Temporal dev server and FerretDB...');
      const started = await startServers(dir);
      servers = started;
      stops.push(() => started.stop());
      temporalAddress = started.temporalAddress;
      mongoServer = started.mongoServer;
    }
    const suffix = randomUUID().slice(0, 8);
    const mongoUrl = new URL(mongoServer);
    mongoUrl.pathname = `/bench_${label}_${suffix}`;
    await connectStore(mongoUrl.toString());
    stops.push(() => disconnectStore());
    const demo = await seedDemo(dir, { deviceId: `pi-bench-${suffix}` });
    const taskQueue = `bench-${label}-${suffix}`;
    log('starting the API and the worker processes...');
    const product = await startProduct({
      dir,
      temporalAddress,
      mongoUrl: mongoUrl.toString(),
      taskQueue,
      env: { CASE_SETTLE_AFTER_FIX_SECONDS: String(benchSettleSeconds), ...env },
    });
    stops.push(() => product.stop());
    const temporal = await connectTemporal({ address: temporalAddress, namespace });
    stops.push(() => temporal.close());
    const { client } = temporal;
    // The API is restarted when it dies, as a service manager would, and each
    // crash is reported; a dead worker ends the run with its last words.
    const apiCrashes: string[] = [];
    let stopping = false;
    stops.push(async () => void (stopping = true));
    void (async () => {
      for (;;) {
        const code = await product.api.exited();
        if (stopping) return;
        const cause = crashCause(path.join(dir, 'api.log'));
        apiCrashes.push(`exit ${code}: ${cause}`);
        log(`the API process died (${cause}); restarting it`);
        await product.api.start().catch(() => undefined);
      }
    })();
    const died = product.worker.exited().then((code) => {
      const tail = lastLines(path.join(dir, 'worker.log'), 30);
      throw new Error(`The worker process exited (code ${code}) during the run:\n${tail}`);
    });
    const measured = run({
      dir,
      apiUrl: product.apiUrl,
      client,
      demo,
      product,
      temporalAddress,
      mongoUrl: mongoUrl.toString(),
      taskQueue,
      servers,
      apiCrashes,
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

function lastLines(file: string, count: number): string {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
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

/** CPU seconds used so far by each process of the run (the dev servers when they are ours). */
export function cpuByProcess(stack: BenchStack): Record<string, number> {
  const own = process.cpuUsage();
  const cpu: Record<string, number> = {
    api: cpuSecondsOf(stack.product.api.pid()),
    worker: cpuSecondsOf(stack.product.worker.pid()),
    'bench (devices, customer)': (own.user + own.system) / 1e6,
  };
  if (stack.servers) {
    cpu.temporal = cpuSecondsOf(stack.servers.temporal.pid());
    cpu.ferretdb = cpuSecondsOf(stack.servers.ferret.pid());
  }
  return cpu;
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
