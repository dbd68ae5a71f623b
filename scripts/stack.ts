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
import { startPagerDutyStandIn } from '../stand-ins/pagerDuty';
import { startSlackStandIn } from '../stand-ins/slack';
import { startSmtpSink } from '../stand-ins/smtpSink';
import { startTelnyxStandIn } from '../stand-ins/telnyx';
import { ensurePortalBuilt, portalServerEntry } from './portalBuild';
import { workerNodeArgs } from '../workers/nodeFlags';
import { credentialsPath, seedDemo, type DemoBox, type DemoCredentials } from './seed';
import { echoProblems } from './serviceLog';
import { standInLog } from './standInLog';

// `npm start`: the whole product on this machine with the embedded defaults.
// Temporal and MongoDB are local unless TEMPORAL_ADDRESS / MONGO_URL point elsewhere.
// Every server writes its log to .data/logs/<name>.log; the terminal gets the banner,
// progress, and the servers' warnings and errors.

// The demo site is on unless DEMO_MODE says otherwise (and never with NODE_ENV=production).
process.env.DEMO_MODE ||= process.env.NODE_ENV === 'production' ? 'false' : 'true';
const config = loadConfig();
const root = path.resolve(__dirname, '..');
// `node --import tsx`: one process per service, so signals reach the service itself.
const tsx = ['--import', 'tsx'];
const services: Service[] = [];
/** In-process stand-ins, stopped after the services that use them. */
const stopLast: (() => Promise<void> | void)[] = [];
let stopping = false;
const logs = path.join(config.dataDir, 'logs');

const log = (line: string) => console.log(line);
const logFile = (name: string) => path.join(logs, `${name}.log`);

/** A service of ours: everything to its log file, its warnings and errors to the terminal. */
function spawnLogged(name: string, args: string[], env: NodeJS.ProcessEnv): Service {
  const service = spawnService(name, process.execPath, args, {
    cwd: root,
    env,
    logFile: logFile(name),
  });
  echoProblems(service, (line) => console.error(line));
  return watch(service);
}

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
  if (stopping) return;

  // Without real SMTP, every email (one-time codes) lands in .data/outbox as an .eml file.
  const outbox = path.join(config.dataDir, 'outbox');
  const standIns = standInLog(logFile('stand-ins'));
  const mail = config.mail.smtpUrl
    ? undefined
    : await startSmtpSink({ outbox, onMessage: standIns.mail });
  if (mail) stopLast.push(() => mail.stop());

  // Without a Telnyx key, calls go to the local stand-in: `npm run call` dials it.
  const phone = config.voice.telnyx
    ? undefined
    : await startTelnyxStandIn({
        webhookUrl: `${config.api.url}/api/voice/telnyx/webhook`,
        onEvent: standIns.phone,
      });
  if (phone) {
    stopLast.push(() => phone.stop());
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(
      path.join(config.dataDir, 'telnyx-stand-in.json'),
      JSON.stringify({ controlUrl: phone.controlUrl }) + '\n',
    );
  }
  // Operators' Slack and PagerDuty: local stand-ins unless the real webhook or key is set.
  const notifier = config.notifier;
  const slack = notifier.slackWebhookUrl
    ? undefined
    : await startSlackStandIn({ onMessage: standIns.slack });
  const pager = notifier.pagerDuty
    ? undefined
    : await startPagerDutyStandIn({ onEvent: standIns.pagerDuty });
  if (slack) stopLast.push(() => slack.stop());
  if (pager) stopLast.push(() => pager.stop());
  stopLast.push(() => standIns.stop());

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
      // SMS from the stand-in's messaging number unless one is configured.
      SMS_FROM_NUMBER: process.env.SMS_FROM_NUMBER || '+15550000200',
    }),
    ...(slack && { SLACK_WEBHOOK_URL: slack.webhookUrl }),
    ...(pager && {
      PAGERDUTY_ROUTING_KEY: pager.routingKey,
      PAGERDUTY_EVENTS_URL: pager.eventsUrl,
    }),
    OPERATOR_EMAIL: notifier.operatorEmail ?? demo.operator.email,
    // A fresh service token each start: only this worker and this API share it.
    // Simulated Zen boxes settle at once; a real network gets the default minute.
    CASE_SETTLE_AFTER_FIX_SECONDS: process.env.CASE_SETTLE_AFTER_FIX_SECONDS ?? '3',
    INTERNAL_API_TOKEN: config.internalToken ?? randomBytes(24).toString('base64url'),
  };
  spawnLogged('worker', workerNodeArgs(), env);
  const api = spawnLogged('api', [...tsx, 'api/main.ts'], env);
  await waitUntilReady(
    api,
    async () => {
      const res = await fetch(`${config.api.url}/api/health`);
      if (res.status !== 200) throw new Error(`health ${res.status}: ${await res.text()}`);
    },
    { logFile: logFile('api') },
  );

  const portal = spawnLogged('portal', [portalServerEntry], {
    ...env,
    PORT: String(config.portal.port),
    HOST: '127.0.0.1',
    NUXT_API_URL: config.api.url,
    NUXT_PUBLIC_TEMPORAL_UI_URL: config.temporal.uiUrl,
  });
  await waitUntilReady(
    portal,
    async () => {
      const res = await fetch(config.portal.url);
      if (!res.ok) throw new Error(`portal ${res.status}`);
    },
    { logFile: logFile('portal') },
  );

  for (const box of demo.boxes) startDemoBox(box);
  await boxesOnline(demo);

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
  log(
    `  Demo boxes      ${demo.boxes.map((b) => `${b.site} (${b.deviceId})`).join(', ')}: simulated, connected`,
  );
  log(`  Credentials     ${credentialsPath(config.dataDir)}`);
  log(`  Email           ${mail ? `local sink, messages in ${outbox}` : 'SMTP_URL'}`);
  const call = phone ? `npm run call -- --from ${demo.customer.phone}` : undefined;
  log(`  Phone           ${call ? `local Telnyx stand-in: ${call}` : 'Telnyx'}`);
  log(
    `  Notifications   SMS ${phone ? 'to the Telnyx stand-in' : 'through Telnyx'}, Slack ${slack ? 'stand-in' : 'webhook'}, PagerDuty ${pager ? 'stand-in' : 'Events API'} (logged in stand-ins.log)`,
  );
  log(`  Logs            ${logs}/<name>.log (api, worker, portal, stand-ins, temporal, ...)`);
  if (config.demo.enabled) {
    log('');
    log('Try it (demo mode):');
    log(`  1. Sign in at ${config.portal.url} as ${demo.customer.email}`);
    log(`     (the code is emailed${mail ? ` to ${outbox}` : ''}).`);
    log('  2. On "Your network", under "Demo: make something break", pick a box and a fault,');
    log('     say "Modem hung": the box notices it and opens a case with a fix to approve.');
    log(`  3. Approve the fix on the case page${call ? `, or by phone: ${call}` : ''}.`);
  }
  log('');
  log('Press Ctrl-C to stop; data is kept for the next start.');
  log('');
}

/** One simulated Zen box of the demo site, in its own process; in demo mode with its control socket. */
function startDemoBox(box: DemoBox) {
  const name = `box-${box.site.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  spawnLogged(name, [...tsx, 'scripts/demoBox.ts'], {
    ...process.env,
    ZEN_API_URL: config.api.url,
    ZEN_DEVICE_TOKEN: box.token,
    ZEN_AGENT_JOURNAL: path.join(config.dataDir, 'journals', `${box.deviceId}.json`),
    ...(config.demo.enabled && {
      DEMO_CONTROL_SOCKET: path.join(config.demo.controlDir, `${box.deviceId}.sock`),
    }),
  });
}

/** The banner waits for the boxes: "try it" must work the moment it shows. */
async function boxesOnline(demo: DemoCredentials, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    const res = await fetch(`${config.api.url}/api/devices`, {
      headers: { authorization: `Bearer ${demo.customer.token}` },
    }).catch(() => undefined);
    const body = (await res?.json().catch(() => undefined)) as
      { devices?: { deviceId: string; status: string }[] } | undefined;
    const online = new Set(
      body?.devices?.filter((d) => d.status === 'online').map((d) => d.deviceId),
    );
    if (demo.boxes.every((b) => online.has(b.deviceId))) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!stopping) console.error('Warning: not every demo box is connected yet; see its log.');
}

/** A child that dies on its own takes the whole stack down with a clear message. */
function watch(service: Service): Service {
  services.push(service);
  // Started while a signal was stopping everything: it goes too.
  if (stopping) void service.stop();
  void service.exited.then((code) => {
    if (stopping) return;
    console.error(
      `[${service.name}] exited unexpectedly (code ${code}); stopping everything. Its log: ${logFile(service.name)}`,
    );
    void shutdown(1);
  });
  return service;
}

async function shutdown(exitCode: number) {
  if (stopping) return;
  stopping = true;
  log('Stopping… (a second Ctrl-C or signal stops everything at once)');
  // Reverse start order: clients before the servers they use.
  for (const service of [...services].reverse()) await service.stop();
  for (const stop of stopLast) await stop();
  log('Stopped. Data is kept in ' + config.dataDir);
  process.exit(exitCode);
}

/** The second signal: no more waiting for anyone. */
function forceStop() {
  console.error('Stopping at once: every process is killed.');
  for (const service of services) service.child.kill('SIGKILL');
  process.exit(1);
}

// A process manager signals this process alone; Ctrl-C in a terminal reaches it up to three
// times at once (the terminal, npm, scripts/start.mjs): those count as one.
let firstSignalAt: number | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (firstSignalAt === undefined) {
      firstSignalAt = Date.now();
      void shutdown(0);
    } else if (Date.now() - firstSignalAt > 1000) {
      forceStop();
    }
  });
}

main().catch(async (err: Error) => {
  if (stopping) return;
  console.error(`\nnpm start failed: ${err.message}`);
  await shutdown(1);
});
