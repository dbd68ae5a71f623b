import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { namespace, startFerret, startTemporal } from '../../temporal-config/dev-servers';
import { startApiProcess, startNodeWorker } from '../../cluster/apps';
import { freePort, restartable, type Restartable } from '../../temporal-config/process';

// The bench runs its worker processes as the cluster does.
export { startNodeWorker };

// The product as real processes (api/main.ts, workers/main.ts) against a
// Temporal dev server and FerretDB of its own. Every one of them can be killed
// with SIGKILL and started again on the same data and port: the bench reads
// their peak memory from /proc, the chaos tests kill them at random moments.

export interface Servers {
  temporal: Restartable;
  ferret: Restartable;
  temporalAddress: string;
  /** mongodb://host:port, without a database. */
  mongoServer: string;
  stop(): Promise<void>;
}

/** A Temporal dev server and a FerretDB with their data in `dir`, on free ports. */
export async function startServers(dir: string): Promise<Servers> {
  const [temporalPort, mongoPort] = [await freePort(), await freePort()];
  const temporalOptions = {
    port: temporalPort,
    uiPort: null,
    dbFile: path.join(dir, 'temporal.db'),
    logFile: path.join(dir, 'temporal.log'),
  };
  const ferretOptions = {
    port: mongoPort,
    dataDir: path.join(dir, 'mongo'),
    logFile: path.join(dir, 'ferretdb.log'),
  };
  const [temporal, ferret] = await Promise.all([
    restartable('temporal', () => startTemporal(temporalOptions)),
    restartable('ferretdb', () => startFerret(ferretOptions)),
  ]);
  return {
    temporal,
    ferret,
    temporalAddress: `127.0.0.1:${temporalPort}`,
    mongoServer: `mongodb://127.0.0.1:${mongoPort}`,
    async stop() {
      await Promise.all([temporal.stop(), ferret.stop()]);
    },
  };
}

export interface ProductOptions {
  /** Log files go here. */
  dir: string;
  temporalAddress: string;
  mongoUrl: string;
  taskQueue: string;
  /** Extra environment (case settings, rate limits). */
  env?: Record<string, string>;
}

export interface ProductProcesses {
  api: Restartable;
  worker: Restartable;
  apiUrl: string;
  stop(): Promise<void>;
}

/** Only what the product reads: no Claude key (the offline advisor is deterministic). */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.ANTHROPIC_API_KEY;
  delete env.TELNYX_API_KEY;
  return env;
}

/** The API and the worker as `npm start` runs them, each its own node process. */
export async function startProduct(options: ProductOptions): Promise<ProductProcesses> {
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const env = {
    ...baseEnv(),
    DATA_DIR: options.dir,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    MONGO_URL: options.mongoUrl,
    API_PORT: String(apiPort),
    API_URL: apiUrl,
    INTERNAL_API_TOKEN: randomBytes(24).toString('base64url'),
    WORKER_METRICS_PORT: String(await freePort()),
    TEMPORAL_SDK_METRICS_PORT: String(await freePort()),
    // A line per request would cost the API more than the requests themselves.
    LOG_LEVEL: 'warn',
    // A hand-over ends the case, as in the in-process stacks (test/support/stack.ts).
    CASE_TECHNICIAN_WAIT_DAYS: '0',
    ...options.env,
  };
  const api = await restartable('api', () => startApiProcess('api', apiPort, env, options.dir));
  const worker = await restartable('worker', () =>
    startNodeWorker('worker', 'workers/main.ts', env, options.dir),
  );
  return {
    api,
    worker,
    apiUrl,
    async stop() {
      await worker.stop();
      await api.stop();
    },
  };
}

const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU time (user + system) a process has used, in seconds. */
export function cpuSecondsOf(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** Current and peak resident memory of a process, in MB (VmRSS and VmHWM). */
export function memoryOf(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1]);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}
