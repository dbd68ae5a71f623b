import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { connectStore, disconnectStore } from '../store/connection';
import { startFerret, startTemporal } from '../temporal-config/dev-servers';
import {
  assertPortFree,
  spawnService,
  waitUntilReady,
  type Service,
} from '../temporal-config/process';
import { ensureTools, type ToolName } from '../temporal-config/tools';
import { startSmtpSink } from '../stand-ins/smtpSink';
import { startTelnyxStandIn } from '../stand-ins/telnyx';
import { ensurePortalBuilt, portalServerEntry } from './portalBuild';
import { workerNodeArgs } from '../workers/nodeFlags';
import { credentialsPath, seedDemo } from './seed';

// `npm start`: the whole product on this machine with the embedded defaults.
// Temporal and MongoDB are local unless TEMPORAL_ADDRESS / MONGO_URL point elsewhere.

const config = loadConfig();
const root = path.resolve(__dirname, '..');
// `node --import tsx`: one process per service, so signals reach the service itself.
const tsx = ['--import', 'tsx'];
const services: Service[] = [];
/** In-process stand-ins, stopped after the services that use them. */
const stopLast: (() => Promise<void>)[] = [];
let stopping = false;

const log = (line: string) => console.log(line);

async function main() {
  const started = Date.now();
  const tools: ToolName[] = [];
  if (config.temporal.local) tools.push('temporal');
  if (config.mongo.local) tools.push('ferretdb');

  const ports: [number, string][] = [
    [config.api.port, 'API_PORT'],
    [config.portal.port, 'PORTAL_PORT'],
    [config.worker.metricsPort, 'WORKER_METRICS_PORT'],
    [config.worker.sdkMetricsPort, 'TEMPORAL_SDK_METRICS_PORT'],
  ];
  if (config.temporal.local) {
    ports.push(
      [config.temporal.port, 'TEMPORAL_PORT'],
      [config.temporal.uiPort, 'TEMPORAL_UI_PORT'],
    );
  }
  if (config.mongo.local) ports.push([config.mongo.port, 'MONGO_PORT']);
  for (const [port, variable] of ports) await assertPortFree(port, variable);

  await ensureTools(tools, log);
  const logs = path.join(config.dataDir, 'logs');
  const [temporal, mongo] = await Promise.all([
    config.temporal.local
      ? startTemporal({
          port: config.temporal.port,
          uiPort: config.temporal.uiPort,
          dbFile: path.join(config.dataDir, 'temporal', 'temporal.db'),
          logFile: path.join(logs, 'temporal.log'),
        })
      : undefined,
    config.mongo.local
      ? startFerret({
          port: config.mongo.port,
          dataDir: path.join(config.dataDir, 'mongo'),
          logFile: path.join(logs, 'ferretdb.log'),
        })
      : undefined,
    ensurePortalBuilt(log),
  ]);
  for (const s of [temporal, mongo]) if (s) watch(s);

  // Without real SMTP, every email (one-time codes) lands in .data/outbox as an .eml file.
  const outbox = path.join(config.dataDir, 'outbox');
  const mail = config.mail.smtpUrl ? undefined : await startSmtpSink({ outbox });
  if (mail) stopLast.push(() => mail.stop());

  // Without a Telnyx key, calls go to the local stand-in: `npm run call` dials it.
  const phone = config.voice.telnyx
    ? undefined
    : await startTelnyxStandIn({ webhookUrl: `${config.api.url}/api/voice/telnyx/webhook` });
  if (phone) {
    stopLast.push(() => phone.stop());
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(
      path.join(config.dataDir, 'telnyx-stand-in.json'),
      JSON.stringify({ controlUrl: phone.controlUrl }) + '\n',
    );
  }

  await connectStore(config.mongo.url);
  const demo = await seedDemo(config.dataDir);
  await disconnectStore();

  const env = {
    ...process.env,
    DATA_DIR: config.dataDir,
    TEMPORAL_ADDRESS: config.temporal.address,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    MONGO_URL: config.mongo.url,
    API_PORT: String(config.api.port),
    API_URL: config.api.url,
    SMTP_URL: config.mail.smtpUrl ?? mail!.url,
    ...(phone && {
      TELNYX_API_KEY: phone.apiKey,
      TELNYX_PUBLIC_KEY: phone.publicKey,
      TELNYX_BASE_URL: phone.url,
    }),
    // A fresh service token each start: only this worker and this API share it.
    // Simulated Zen boxes settle at once; a real network gets the default minute.
    CASE_SETTLE_AFTER_FIX_SECONDS: process.env.CASE_SETTLE_AFTER_FIX_SECONDS ?? '3',
    INTERNAL_API_TOKEN: config.internalToken ?? randomBytes(24).toString('base64url'),
  };
  watch(
    spawnService('worker', process.execPath, workerNodeArgs(), {
      cwd: root,
      env,
    }),
  );
  const api = watch(
    spawnService('api', process.execPath, [...tsx, 'api/main.ts'], { cwd: root, env }),
  );
  await waitUntilReady(api, async () => {
    const res = await fetch(`${config.api.url}/api/health`);
    if (res.status !== 200) throw new Error(`health ${res.status}: ${await res.text()}`);
  });

  const portal = watch(
    spawnService('portal', process.execPath, [portalServerEntry], {
      cwd: root,
      env: {
        ...env,
        PORT: String(config.portal.port),
        HOST: '127.0.0.1',
        NUXT_API_URL: config.api.url,
        NUXT_PUBLIC_TEMPORAL_UI_URL: config.temporal.uiUrl,
      },
    }),
  );
  await waitUntilReady(portal, async () => {
    const res = await fetch(config.portal.url);
    if (!res.ok) throw new Error(`portal ${res.status}`);
  });

  watch(
    spawnService('agent', process.execPath, [...tsx, 'agent/main.ts', '--simulate', 'healthy'], {
      cwd: root,
      env: { ...env, ZEN_API_URL: config.api.url, ZEN_DEVICE_TOKEN: demo.device.token },
    }),
  );

  const seconds = Math.round((Date.now() - started) / 1000);
  log('');
  log(`Zen & Zen Network Support is running (ready in ${seconds}s).`);
  log(`  Portal          ${config.portal.url}`);
  log(`  API             ${config.api.url}  (health: ${config.api.url}/api/health)`);
  log(
    `  Temporal UI     ${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows`,
  );
  log(`  Temporal        ${config.temporal.address}  namespace ${config.temporal.namespace}`);
  log(
    `  Metrics         ${config.api.url}/metrics  http://127.0.0.1:${config.worker.metricsPort}/metrics (worker)`,
  );
  log(`  MongoDB         ${config.mongo.url}`);
  log(`  Demo customer   ${demo.customer.businessName}, ${demo.customer.email}`);
  log(`                  API token ${demo.customer.token}`);
  log(`  Demo operator   ${demo.operator.email}, API token ${demo.operator.token}`);
  log(`  Demo device     ${demo.device.deviceId} (simulated agent connected)`);
  log(`  Credentials     ${credentialsPath(config.dataDir)}`);
  log(`  Email           ${mail ? `local sink, messages in ${outbox}` : 'SMTP_URL'}`);
  log(
    `  Phone           ${phone ? `local Telnyx stand-in: npm run call -- --from ${demo.customer.phone}` : 'Telnyx'}`,
  );
  log(`  Logs            ${logs}`);
  log('Press Ctrl-C to stop; data is kept for the next start.');
  log('');
}

/** A child that dies on its own takes the whole stack down with a clear message. */
function watch(service: Service): Service {
  services.push(service);
  void service.exited.then((code) => {
    if (stopping) return;
    console.error(`[${service.name}] exited unexpectedly (code ${code}); stopping everything.`);
    void shutdown(1);
  });
  return service;
}

async function shutdown(exitCode: number) {
  if (stopping) return;
  stopping = true;
  log('Stopping…');
  // Reverse start order: clients before the servers they use.
  for (const service of [...services].reverse()) await service.stop();
  for (const stop of stopLast) await stop();
  log('Stopped. Data is kept in ' + config.dataDir);
  process.exit(exitCode);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

main().catch(async (err: Error) => {
  console.error(`\nnpm start failed: ${err.message}`);
  await shutdown(1);
});
