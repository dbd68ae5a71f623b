import { randomUUID } from 'node:crypto';
import { startCluster } from '../cluster';
import { loadConfig } from '../config';
import { namespace as devNamespace } from '../temporal-config/dev-servers';
import type { Restartable } from '../temporal-config/process';
import { assertToolsBuilt } from '../temporal-config/tools';
import { startProduct, startServers } from '../test/support/processStack';

// The two shapes a bench section can measure. "dev": one API and one worker process on a
// Temporal dev server and FerretDB over SQLite, as `npm start` runs them. "cluster": the
// production shape (`npm run cluster`): a real Temporal server and FerretDB on PostgreSQL,
// two API instances behind HAProxy and two workers.

export type Shape = 'dev' | 'cluster';

/** A process whose CPU a section reads. */
export interface Measured {
  pid(): number;
}

export interface ShapeProcesses {
  /** Where boxes, customers and the worker reach the API: HAProxy's front in a cluster. */
  apiUrl: string;
  /** Each API instance's own address (behind HAProxy in a cluster), as `apis`. */
  apiUrls: string[];
  temporalAddress: string;
  namespace: string;
  /** With the database the run's API processes use. */
  mongoUrl: string;
  taskQueue: string;
  apis: Restartable[];
  workers: Restartable[];
  /** Servers started for this run, by name (their CPU is counted); none when reused. */
  servers: Record<string, Measured>;
  stop(): Promise<void>;
}

export interface ShapeOptions {
  dir: string;
  label: string;
  env: Record<string, string>;
  log: (line: string) => void;
}

/** How a section's heading names the shape it ran at (nothing for the usual one). */
export function shapeNote(shape: Shape): string {
  return shape === 'cluster'
    ? ' at the cluster shape (2 API instances behind HAProxy, 2 workers)'
    : '';
}

export function startShape(shape: Shape, options: ShapeOptions): Promise<ShapeProcesses> {
  return shape === 'cluster' ? startClusterShape(options) : startDevShape(options);
}

async function startDevShape({ dir, label, env, log }: ShapeOptions): Promise<ShapeProcesses> {
  const config = loadConfig();
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    let temporalAddress = config.temporal.address;
    let mongoServer = config.mongo.url;
    let servers: Record<string, Measured> = {};
    if (!config.temporal.local && !config.mongo.local) {
      log(`using the running Temporal (${temporalAddress}) and MongoDB`);
    } else {
      assertToolsBuilt(['temporal', 'ferretdb']);
      log('starting a Temporal dev server and FerretDB...');
      const started = await startServers(dir);
      stops.push(() => started.stop());
      servers = { temporal: started.temporal, ferretdb: started.ferret };
      temporalAddress = started.temporalAddress;
      mongoServer = started.mongoServer;
    }
    const suffix = randomUUID().slice(0, 8);
    const mongoUrl = new URL(mongoServer);
    mongoUrl.pathname = `/bench_${label}_${suffix}`;
    const taskQueue = `bench-${label}-${suffix}`;
    log('starting the API and the worker processes...');
    const product = await startProduct({
      dir,
      temporalAddress,
      mongoUrl: mongoUrl.toString(),
      taskQueue,
      env,
    });
    stops.push(() => product.stop());
    return {
      apiUrl: product.apiUrl,
      apiUrls: [product.apiUrl],
      temporalAddress,
      namespace: devNamespace,
      mongoUrl: mongoUrl.toString(),
      taskQueue,
      apis: [product.api],
      workers: [product.worker],
      servers,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The keys this process seals personal data and encodes Temporal payloads with (its own
 * settings, or the development ones), for the cluster's processes: the bench seeds the
 * store and starts workflows itself, and the store keeps its key once read, so the cluster
 * takes ours rather than making its own.
 */
function benchKeys(): Record<string, string> {
  const config = loadConfig();
  return {
    PII_MASTER_KEY: config.privacy.masterKey.toString('base64'),
    TEMPORAL_CODEC_KEYS: config.temporal.codecKeys
      .map((k) => `${k.id}:${k.key.toString('base64')}`)
      .join(','),
  };
}

async function startClusterShape({ dir, env, log }: ShapeOptions): Promise<ShapeProcesses> {
  log(
    'starting the cluster (PostgreSQL, Temporal server, FerretDB, 2 APIs, 2 workers, HAProxy)...',
  );
  const cluster = await startCluster({
    dir,
    apis: 2,
    workers: 2,
    ui: false,
    env: { ...benchKeys(), LOG_LEVEL: 'warn', CASE_TECHNICIAN_WAIT_DAYS: '0', ...env },
    log,
  });
  return {
    apiUrl: cluster.url,
    apiUrls: cluster.apis.map((a) => a.url),
    temporalAddress: cluster.temporalAddress,
    namespace: cluster.namespace,
    mongoUrl: cluster.mongoUrl,
    taskQueue: cluster.taskQueue,
    apis: cluster.apis.map((a) => a.process),
    workers: cluster.workers,
    servers: {
      temporal: cluster.temporal,
      ferretdb: cluster.ferret,
      postgres: { pid: () => cluster.postgres.service().child.pid! },
      haproxy: { pid: () => cluster.haproxy.child.pid! },
    },
    stop: () => cluster.stop(),
  };
}
