import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { seedDemo, type DemoCredentials } from '../scripts/seed';
import { connectStore } from '../store/connection';
import { namespace, startFerret } from '../temporal-config/dev-servers';
import { freePort, restartable } from '../temporal-config/process';
import { startApiProcess, startNodeWorker, startPortalProcess } from './apps';
import { startHaproxy } from './haproxy';
import { startPostgres, type PostgresServer } from './postgres';
import { loadOrCreateSecrets, secretsEnv } from './secrets';
import { startTemporalServer } from './temporalServer';
import { startTemporalUi } from './temporalUi';
import type { Cluster, ClusterOptions } from './types';

// The production shape on one machine: PostgreSQL, the Temporal server and FerretDB on
// it, API instances behind HAProxy, workers that reach the API through HAProxy, and
// with `ui` the Temporal UI and the portal. `npm run cluster` (cluster/main.ts), the
// cluster test, the chaos run and the benches at this shape all start it here.

export type { Cluster, ClusterOptions } from './types';

const defaultTaskQueue = 'support-cases';
/** FerretDB's documents and the API instances' socket.io bus, each a database. */
const ferretDatabase = 'ferretdb';
const busDatabase = 'zen_bus';
/**
 * FerretDB 1.24 applies an update by holding one PostgreSQL connection for its read while
 * it takes a second for the write: when every connection of its pool is held by such a read,
 * all of them wait for ever (10,000 boxes' first heartbeats did this, with the driver's
 * default pool of 100 a process and FerretDB's of 50). So the store's clients together may
 * never have as many operations in flight as FerretDB has connections: each process's driver
 * keeps `clientPool` connections, and FerretDB one more than that many for every API instance
 * and worker and for `otherClients` more (the launcher, a bench, a test, a script).
 */
export function storePools(apis: number, workers: number) {
  const clientPool = 20;
  const otherClients = 4;
  return { clientPool, ferretPool: (apis + workers + otherClients) * clientPool + 1 };
}

/** Stops what started so far, newest first; a failed stop does not keep the rest running. */
function stopStack() {
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  return {
    add(name: string, stop: () => Promise<void>) {
      stops.push({ name, stop });
    },
    async stopAll(log: (line: string) => void) {
      for (const { name, stop } of stops.splice(0).reverse()) {
        await stop().catch((err: Error) => log(`stopping ${name} failed: ${err.message}`));
      }
    },
  };
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const log = opts.log ?? (() => undefined);
  const dir = path.resolve(opts.dir);
  const logs = path.join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  // PostgreSQL runs as its own user, who must pass through this directory to its data
  // (a mkdtemp directory is 0700); others may pass, not list.
  chmodSync(dir, 0o711);
  const ports = opts.ports ?? {};
  const port = async (fixed: number | undefined) => fixed ?? (await freePort());
  const apiCount = opts.apis ?? 2;
  const workerCount = opts.workers ?? 2;
  const url = `http://127.0.0.1:${await port(opts.port)}`;
  const frontPort = Number(new URL(url).port);
  const started = stopStack();

  try {
    log('Starting PostgreSQL');
    const postgres: PostgresServer = await startPostgres({
      dataDir: path.join(dir, 'postgres', 'data'),
      port: await port(ports.postgres),
      logFile: path.join(logs, 'postgres.log'),
    });
    started.add('PostgreSQL', () => postgres.stop());
    for (const database of [ferretDatabase, busDatabase]) await postgres.ensureDatabase(database);

    const mongoPort = await port(ports.mongo);
    const pools = storePools(apiCount, workerCount);
    log('Starting the Temporal server and FerretDB');
    const [temporal, ferret] = await Promise.all([
      startTemporalServer({
        dir: path.join(dir, 'temporal'),
        postgres,
        port: await port(ports.temporal),
        logFile: path.join(logs, 'temporal.log'),
      }),
      restartable('ferretdb', () =>
        startFerret({
          port: mongoPort,
          dataDir: path.join(dir, 'ferret'),
          logFile: path.join(logs, 'ferretdb.log'),
          postgresqlUrl: `${postgres.url(ferretDatabase)}?pool_max_conns=${pools.ferretPool}`,
        }),
      ),
    ]);
    started.add('the Temporal server', () => temporal.stop());
    started.add('FerretDB', () => ferret.stop());

    const temporalUiPort = opts.ui ? await port(ports.temporalUi) : undefined;
    const uiUrl = temporalUiPort === undefined ? undefined : `http://127.0.0.1:${temporalUiPort}`;
    const secrets = loadOrCreateSecrets(dir);
    const taskQueue = opts.env?.TEMPORAL_TASK_QUEUE ?? defaultTaskQueue;
    const mongoUrl = `mongodb://127.0.0.1:${mongoPort}/zen?maxPoolSize=${pools.clientPool}`;
    const env: Record<string, string> = {
      DATA_DIR: dir,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      MONGO_URL: mongoUrl,
      // Everyone reaches the API through HAProxy, the workers too.
      API_URL: url,
      PORTAL_URL: url,
      TEMPORAL_CODEC_ENDPOINT: `${url}/api/codec`,
      ...(uiUrl && { TEMPORAL_UI_URL: uiUrl }),
      SOCKET_BUS_URL: postgres.url(busDatabase),
      LOG_LEVEL: 'warn',
      ...secretsEnv(secrets),
      ...opts.env,
    };
    const productEnv = { ...process.env, ...env };

    const firstApiPort = ports.api;
    const apis = await Promise.all(
      Array.from({ length: apiCount }, async (_, i) => {
        const name = `api-${i + 1}`;
        const apiPort = firstApiPort === undefined ? await freePort() : firstApiPort + i;
        const apiEnv = { ...productEnv, API_INSTANCE: name };
        log(`Starting ${name}`);
        const instance = await restartable(name, () =>
          startApiProcess(name, apiPort, apiEnv, logs),
        );
        started.add(name, () => instance.stop());
        return { process: instance, name, url: `http://127.0.0.1:${apiPort}`, port: apiPort };
      }),
    );

    const portalPort = opts.ui ? await port(ports.portal) : undefined;
    log('Starting HAProxy');
    const haproxy = await startHaproxy({
      dir: logs,
      port: frontPort,
      statsPort: await port(ports.stats),
      apis: apis.map((api) => ({ name: api.name, port: api.port })),
      portalPort,
    });
    started.add('HAProxy', () => haproxy.stop());

    log(`Starting ${workerCount} worker${workerCount === 1 ? '' : 's'}`);
    const workers = await Promise.all(
      Array.from({ length: workerCount }, async (_, i) => {
        const name = `worker-${i + 1}`;
        const workerEnv = {
          ...productEnv,
          WORKER_METRICS_PORT: String(await freePort()),
          TEMPORAL_SDK_METRICS_PORT: String(await freePort()),
        };
        const worker = await restartable(name, () =>
          startNodeWorker(name, 'workers/main.ts', workerEnv, logs),
        );
        started.add(name, () => worker.stop());
        return worker;
      }),
    );

    if (temporalUiPort !== undefined) {
      log('Starting the Temporal UI');
      const ui = await startTemporalUi({
        temporalAddress: temporal.address,
        port: temporalUiPort,
        codecEndpoint: `${url}/api/codec`,
        logFile: path.join(logs, 'temporal-ui.log'),
        dir: path.join(dir, 'temporal-ui'),
      });
      started.add('the Temporal UI', () => ui.stop());
    }
    if (portalPort !== undefined) {
      log('Starting the portal');
      // The portal's links to a case's history go to this cluster's Temporal UI.
      const portalEnv = { ...productEnv, NUXT_PUBLIC_TEMPORAL_UI_URL: uiUrl };
      const portal = await startPortalProcess(portalPort, url, portalEnv, logs);
      started.add('the portal', () => portal.stop());
    }

    log(`The cluster is up at ${url}`);
    return {
      dir,
      url,
      temporalAddress: temporal.address,
      namespace,
      taskQueue,
      mongoUrl,
      internalToken: secrets.internalToken,
      env,
      postgres,
      temporal,
      ferret,
      apis: apis.map(({ process, name, url: apiUrl }) => ({ process, name, url: apiUrl })),
      workers,
      haproxy,
      statsUrl: haproxy.statsUrl,
      uiUrl,
      portalUrl: portalPort === undefined ? undefined : url,
      stop: () => started.stopAll(log),
    };
  } catch (err) {
    await started.stopAll(log);
    throw err;
  }
}

/**
 * The demo tenant of `npm start` in the cluster's store (scripts/seed.ts); its tokens are kept
 * in the cluster's directory. Leaves this process connected to the store, for the caller's
 * own reads; `deviceId` seeds one box of that id instead of the demo site's.
 */
export async function seedClusterDemo(
  cluster: Pick<Cluster, 'dir' | 'mongoUrl'>,
  options: { deviceId?: string } = {},
): Promise<DemoCredentials> {
  await connectStore(cluster.mongoUrl);
  return seedDemo(cluster.dir, options);
}
