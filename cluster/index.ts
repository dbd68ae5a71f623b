import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { seedDemo, type DemoCredentials } from '../scripts/seed';
import { connectStore } from '../store/connection';
import { namespace, startFerret, startTemporal } from '../temporal-config/dev-servers';
import { freePort, restartable } from '../temporal-config/process';
import { startApiProcess, startNodeWorker, startPortalProcess } from './apps';
import { startHaproxy } from './haproxy';
import { startPostgres, type PostgresServer } from './postgres';
import { loadOrCreateSecrets, secretsEnv } from './secrets';
import type { Cluster, ClusterOptions, TemporalServer } from './types';

// The production shape on one machine: PostgreSQL, the Temporal server and FerretDB on
// it, API instances behind HAProxy, workers that reach the API through HAProxy, and
// with `ui` the Temporal UI and the portal. `npm run cluster` (cluster/main.ts), the
// cluster test, the chaos run and the benches at this shape all start it here.

export type { Cluster, ClusterOptions } from './types';

const defaultTaskQueue = 'support-cases';
/** FerretDB's documents and the API instances' socket.io bus, each a database. */
const ferretDatabase = 'ferretdb';
const busDatabase = 'zen_bus';

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

/**
 * The Temporal server. Until the real server (cluster/temporalServer.ts) is in, the
 * dev server stands in for it, its data in a SQLite file under `dir`.
 */
async function startClusterTemporal(
  dir: string,
  port: number,
  uiPort: number | null,
  codecEndpoint: string,
): Promise<TemporalServer> {
  const server = await restartable('temporal', () =>
    startTemporal({
      port,
      uiPort,
      dbFile: path.join(dir, 'temporal', 'temporal.db'),
      logFile: path.join(dir, 'logs', 'temporal.log'),
      codecEndpoint,
    }),
  );
  return { ...server, address: `127.0.0.1:${port}` };
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

    const temporalUiPort = opts.ui ? await port(ports.temporalUi) : null;
    const uiUrl = temporalUiPort === null ? undefined : `http://127.0.0.1:${temporalUiPort}`;
    const mongoPort = await port(ports.mongo);
    log('Starting the Temporal server and FerretDB');
    const [temporal, ferret] = await Promise.all([
      startClusterTemporal(dir, await port(ports.temporal), temporalUiPort, `${url}/api/codec`),
      restartable('ferretdb', () =>
        startFerret({
          port: mongoPort,
          dataDir: path.join(dir, 'ferret'),
          logFile: path.join(logs, 'ferretdb.log'),
          postgresqlUrl: postgres.url(ferretDatabase),
        }),
      ),
    ]);
    started.add('the Temporal server', () => temporal.stop());
    started.add('FerretDB', () => ferret.stop());

    const secrets = loadOrCreateSecrets(dir);
    const taskQueue = opts.env?.TEMPORAL_TASK_QUEUE ?? defaultTaskQueue;
    const mongoUrl = `mongodb://127.0.0.1:${mongoPort}/zen`;
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

    if (portalPort !== undefined) {
      log('Starting the portal');
      const portal = await startPortalProcess(portalPort, url, productEnv, logs);
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
