import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { ensureDebianPackages } from '../scripts/debianPackages';
import { ensurePortalBuilt } from '../scripts/portalBuild';
import { credentialsPath, type DemoBox } from '../scripts/seed';
import { standInLog } from '../scripts/standInLog';
import { startSmtpSink } from '../stand-ins/smtpSink';
import { startTelnyxStandIn } from '../stand-ins/telnyx';
import { disconnectStore } from '../store/connection';
import {
  assertPortFree,
  spawnService,
  type Restartable,
  type Service,
} from '../temporal-config/process';
import { ensureTools } from '../temporal-config/tools';
import { seedClusterDemo, startCluster, type Cluster } from '.';

// `npm run cluster`: the production shape on this machine (cluster/index.ts), its data
// in .cluster/, with the demo tenant, its simulated boxes, and the email and phone
// stand-ins of `npm start`. Ctrl-C stops everything; the data stays for the next start.

process.env.DEMO_MODE ||= process.env.NODE_ENV === 'production' ? 'false' : 'true';
const config = loadConfig();
const root = path.resolve(__dirname, '..');
const dir = path.join(root, '.cluster');
const logs = path.join(dir, 'logs');
const log = (line: string) => console.log(line);
/** How long a part that died waits before it is started again. */
const restartDelayMs = 2_000;

let cluster: Cluster | undefined;
const boxes: Service[] = [];
const stopLast: (() => Promise<void> | void)[] = [];
let stopping = false;
// Each supervised child guards against outliving this process with an exit listener.
process.setMaxListeners(50);

function assertPrerequisites() {
  ensureDebianPackages();
  const missing = [
    ['/usr/lib/postgresql/15/bin/postgres', 'postgresql-15'],
    ['/usr/sbin/haproxy', 'haproxy'],
  ].filter(([file]) => !existsSync(file!));
  if (missing.length) {
    throw new Error(
      `${missing.map(([, pkg]) => pkg).join(' and ')} not installed, and only root can install them: run \`npm run cluster\` (or \`npm run setup\`) as root once.`,
    );
  }
}

/** Every fixed port, free, or an error naming the variable that moves it. */
async function assertPortsFree() {
  const ports: [number, string][] = [
    [config.cluster.port, 'CLUSTER_PORT'],
    [config.cluster.statsPort, 'CLUSTER_STATS_PORT'],
    [config.cluster.postgresPort, 'CLUSTER_POSTGRES_PORT'],
    [config.temporal.port, 'TEMPORAL_PORT'],
    [config.temporal.uiPort, 'TEMPORAL_UI_PORT'],
    [config.mongo.port, 'MONGO_PORT'],
    [config.api.port, 'API_PORT'],
    [config.api.port + 1, 'API_PORT (the second instance takes the next port)'],
    [config.portal.port, 'PORTAL_PORT'],
  ];
  for (const [port, variable] of ports) await assertPortFree(port, variable);
}

/** Email to a local sink (.cluster/outbox), calls and SMS to the local Telnyx stand-in. */
async function startStandIns(frontUrl: string): Promise<Record<string, string>> {
  const standIns = standInLog(path.join(logs, 'stand-ins.log'));
  stopLast.push(() => standIns.stop());
  const outbox = path.join(dir, 'outbox');
  const mail = await startSmtpSink({ outbox, onMessage: standIns.mail });
  stopLast.push(() => mail.stop());
  // Telnyx's webhooks come in at the front, as a real number's would.
  const phone = await startTelnyxStandIn({
    webhookUrl: `${frontUrl}/api/voice/telnyx/webhook`,
    onEvent: standIns.phone,
  });
  stopLast.push(() => phone.stop());
  writeFileSync(
    path.join(dir, 'telnyx-stand-in.json'),
    JSON.stringify({ controlUrl: phone.controlUrl }) + '\n',
  );
  return {
    SMTP_URL: mail.url,
    TELNYX_API_KEY: phone.apiKey,
    TELNYX_PUBLIC_KEY: phone.publicKey,
    TELNYX_BASE_URL: phone.url,
    SMS_FROM_NUMBER: process.env.SMS_FROM_NUMBER || '+15550000200',
  };
}

/** One simulated demo box, connected through HAProxy like every box. */
function startDemoBox(box: DemoBox, apiUrl: string) {
  const name = `box-${box.deviceId}`;
  const service = spawnService(name, process.execPath, ['--import', 'tsx', 'scripts/demoBox.ts'], {
    cwd: root,
    env: {
      ...process.env,
      ZEN_API_URL: apiUrl,
      ZEN_DEVICE_TOKEN: box.token,
      ZEN_AGENT_JOURNAL: path.join(dir, 'journals', `${box.deviceId}.json`),
      ...(config.demo.enabled && {
        DEMO_CONTROL_SOCKET: path.join(dir, 'demo', `${box.deviceId}.sock`),
      }),
    },
    logFile: path.join(logs, `${name}.log`),
  });
  boxes.push(service);
}

async function main() {
  const started = Date.now();
  assertPrerequisites();
  await assertPortsFree();
  await ensureTools(['temporal-server', 'temporal-sql-tool', 'temporal-ui', 'ferretdb'], log);
  await ensurePortalBuilt(log);
  mkdirSync(logs, { recursive: true });

  const frontUrl = `http://127.0.0.1:${config.cluster.port}`;
  const standInEnv = await startStandIns(frontUrl);
  cluster = await startCluster({
    dir,
    port: config.cluster.port,
    ui: true,
    ports: {
      postgres: config.cluster.postgresPort,
      temporal: config.temporal.port,
      temporalUi: config.temporal.uiPort,
      mongo: config.mongo.port,
      api: config.api.port,
      portal: config.portal.port,
      stats: config.cluster.statsPort,
    },
    env: {
      ...standInEnv,
      DEMO_MODE: String(config.demo.enabled),
      // Simulated Zen boxes settle at once; a real network gets the default minute.
      CASE_SETTLE_AFTER_FIX_SECONDS: process.env.CASE_SETTLE_AFTER_FIX_SECONDS ?? '3',
      LOG_LEVEL: config.logLevel,
    },
    log,
  });
  if (stopping) return;
  // One instance dying is what the cluster is for: it says so, carries on, and starts it
  // again after a moment, as compose's `restart: unless-stopped` does.
  const supervise = (part: Restartable) =>
    void part.exited().then(async (code) => {
      if (stopping) return;
      console.error(
        `${part.name} exited (code ${code}); starting it again (${logs}/${part.name}.log)`,
      );
      await new Promise((resolve) => setTimeout(resolve, restartDelayMs));
      if (stopping) return;
      await part.start().then(
        () => {
          log(`${part.name} is back`);
          supervise(part);
        },
        (err: Error) => console.error(`${part.name} did not start again: ${err.message}`),
      );
    });
  for (const part of [...cluster.apis.map((a) => a.process), ...cluster.workers]) supervise(part);

  const demo = await seedClusterDemo(cluster);
  await disconnectStore();
  for (const box of demo.boxes) startDemoBox(box, cluster.url);

  const seconds = Math.round((Date.now() - started) / 1000);
  const pg = `postgres://${cluster.postgres.user}@127.0.0.1:${cluster.postgres.port}/`;
  log('');
  log(`The production shape is running (ready in ${seconds}s).`);
  log(`  Front (HAProxy)  ${cluster.url}  portal, API, boxes' sockets, Telnyx webhooks`);
  log(`  HAProxy stats    ${cluster.statsUrl}`);
  for (const api of cluster.apis) log(`  ${api.name.padEnd(16)} ${api.url}  (behind HAProxy)`);
  log(`  Workers          ${cluster.workers.length}, reaching the API through HAProxy`);
  log(`  Temporal UI      ${cluster.uiUrl}/namespaces/${cluster.namespace}/workflows`);
  log(`  Temporal         ${cluster.temporalAddress}  namespace ${cluster.namespace}`);
  log(`  MongoDB          ${cluster.mongoUrl}  (FerretDB on PostgreSQL)`);
  log(`  PostgreSQL       ${pg}  (password in ${path.join(dir, 'postgres.password')})`);
  log(`  Demo customer    ${demo.customer.email} (sign-in codes land in ${dir}/outbox)`);
  log(`  Credentials      ${credentialsPath(dir)}`);
  log(`  Phone            DATA_DIR=.cluster npm run call -- --from ${demo.customer.phone}`);
  log(`  Logs             ${logs}/<name>.log`);
  log('');
  log('Press Ctrl-C to stop; data is kept in .cluster/ for the next start.');
}

async function shutdown(exitCode: number) {
  if (stopping) return;
  stopping = true;
  log('Stopping…');
  for (const box of boxes) await box.stop();
  await cluster?.stop();
  for (const stop of stopLast.reverse()) await stop();
  log('Stopped.');
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void shutdown(0));
}

main().catch(async (err: Error) => {
  console.error(`\nnpm run cluster failed: ${err.message}`);
  await shutdown(1);
});
