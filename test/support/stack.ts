import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import type { NotifierConfig } from '../../activities/notifications';
import { loadConfig } from '../../config';
import { createApiLink, type ApiLink } from '../../activities/apiLink';
import { createApi, type ApiDeps } from '../../api/app';
import { createLogger } from '../../observability/logger';
import { seedDemo, type DemoCredentials } from '../../scripts/seed';
import { connectStore, disconnectStore } from '../../store/connection';
import { connectTemporal } from '../../temporal-config/client';
import { createWorker } from '../../workers/worker';
import { startPagerDutyStandIn, type PagerDutyStandIn } from '../../stand-ins/pagerDuty';
import { startSlackStandIn, type SlackStandIn } from '../../stand-ins/slack';
import { startSmtpSink, type SmtpSink } from '../../stand-ins/smtpSink';
import {
  startTelnyxStandIn,
  type TelnyxStandIn,
  type TelnyxStandInOptions,
} from '../../stand-ins/telnyx';
import type { CaseSettings } from '../../workflows/messages';
import { freshMongoUrl, temporalAddress, temporalNamespace } from './env';

// The product's API and worker running in the test process, against the real
// Temporal dev server and FerretDB, with a freshly seeded demo tenant.

export interface TestStack {
  apiUrl: string;
  /** The API's express app, for reading its routes. */
  app: Express;
  /** Holds demo-credentials.json, as .data does for npm start. */
  dataDir: string;
  taskQueue: string;
  internalToken: string;
  client: Client;
  demo: DemoCredentials;
  mongoUrl: string;
  /** The notifier's stand-ins, when the stack was started with `notifications`. */
  notifier?: NotifierStandIns;
  stop(): Promise<void>;
}

/** Email, SMS, Slack and PagerDuty stand-ins, and the settings that point the notifier at them. */
export interface NotifierStandIns {
  smtp: SmtpSink;
  telnyx: TelnyxStandIn;
  slack: SlackStandIn;
  pagerDuty: PagerDutyStandIn;
  /** The environment a worker process needs to use them. */
  env: Record<string, string>;
  config: NotifierConfig;
  stop(): Promise<void>;
}

export interface TestStackOptions {
  worker?: boolean;
  caseSettings?: Partial<CaseSettings>;
  /** The API's logger, security and socket settings, for tests of those. */
  api?: Pick<ApiDeps, 'logger' | 'security' | 'socket' | 'sla'>;
  /** Where the API (and `client`) reach Temporal, when not directly (a cuttable proxy). */
  apiTemporalAddress?: string;
  /** Start the notifier's stand-ins and point the worker at them; retries bounded short. */
  notifications?: {
    retrySeconds?: number;
    onSms?: TelnyxStandInOptions['onMessage'];
  };
}

export async function startTestStack(
  label: string,
  {
    worker = true,
    caseSettings = {},
    api: apiOptions = {},
    apiTemporalAddress = temporalAddress(),
    notifications,
  }: TestStackOptions = {},
): Promise<TestStack> {
  const mongoUrl = freshMongoUrl(label);
  await connectStore(mongoUrl);
  // Device ids are unique per file: workflow ids derive from them, and the
  // Temporal server is shared by every test file.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `zen-${label}-`));
  const demo = await seedDemo(dataDir, {
    deviceId: `pi-${label}-${randomUUID().slice(0, 8)}`,
  });

  const temporal = await connectTemporal({
    address: apiTemporalAddress,
    namespace: temporalNamespace(),
  });
  const { client } = temporal;
  const internalToken = randomBytes(24).toString('base64url');
  // A task queue per file: workers of other files (other databases) must not pick up its tasks.
  const taskQueue = `support-cases-${label}-${randomUUID().slice(0, 8)}`;
  const api = createApi({
    taskQueue,
    temporal: client,
    namespace: temporalNamespace(),
    internalToken,
    // Short settling so fixed cases verify at once; tests of waiting set their own.
    // A step on site that nobody says is done hands the case over after a second and a
    // half; the tests of that step set a longer wait.
    // A hand-over ends the case at once, unless a test works it as a technician.
    caseSettings: {
      settleAfterFixMs: 200,
      customerStepWaitMs: 1500,
      technicianWaitMs: 0,
      ...caseSettings,
    },
    // Request lines would bury jest's report; tests that read logs pass their own logger.
    logger: createLogger('api', 'silent'),
    ...apiOptions,
  });
  await new Promise<void>((resolve) => api.http.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(api.http.address() as AddressInfo).port}`;

  const notifier = notifications && (await startNotifierStandIns(dataDir, notifications));

  if (worker) quietRuntime();
  let running:
    { worker: Worker; done: Promise<void>; connection: NativeConnection; api: ApiLink } | undefined;
  if (worker) {
    const workerConnection = await NativeConnection.connect({ address: temporalAddress() });
    const link = createApiLink(apiUrl, internalToken);
    const w = await createWorker({
      connection: workerConnection,
      namespace: temporalNamespace(),
      api: link,
      taskQueue,
      notifier: notifier?.config ?? notifyNobody(),
    });
    running = { worker: w, done: w.run(), connection: workerConnection, api: link };
  }

  return {
    apiUrl,
    app: api.app,
    dataDir,
    taskQueue,
    internalToken,
    client,
    demo,
    mongoUrl,
    notifier,
    async stop() {
      if (running) {
        running.worker.shutdown();
        await running.done;
        running.api.close();
        await running.connection.close();
      }
      await api.close();
      await notifier?.stop();
      await temporal.close();
      await disconnectStore();
    },
  };
}

/**
 * Without the stand-ins, the notifier has no channel: tests of other things get no messages
 * (a code email they wait for is never followed by a notification to the same address).
 */
function notifyNobody(): NotifierConfig {
  return loadConfig({}).notifier;
}

async function startNotifierStandIns(
  dataDir: string,
  { retrySeconds = 4, onSms }: NonNullable<TestStackOptions['notifications']>,
): Promise<NotifierStandIns> {
  const smtp = await startSmtpSink({ outbox: path.join(dataDir, 'outbox') });
  const telnyx = await startTelnyxStandIn({ onMessage: onSms });
  const slack = await startSlackStandIn();
  const pagerDuty = await startPagerDutyStandIn();
  const env = {
    SMTP_URL: smtp.url,
    TELNYX_API_KEY: telnyx.apiKey,
    TELNYX_BASE_URL: telnyx.url,
    SMS_FROM_NUMBER: '+15550000200',
    SLACK_WEBHOOK_URL: slack.webhookUrl,
    PAGERDUTY_ROUTING_KEY: pagerDuty.routingKey,
    PAGERDUTY_EVENTS_URL: pagerDuty.eventsUrl,
    OPERATOR_EMAIL: 'oncall@zen-support.example',
    PORTAL_URL: 'http://portal.test',
    NOTIFY_RETRY_MINUTES: String(retrySeconds / 60),
    NOTIFY_RETRY_FIRST_SECONDS: '0.5',
  };
  return {
    smtp,
    telnyx,
    slack,
    pagerDuty,
    env,
    config: loadConfig({ ...process.env, ...env }).notifier,
    async stop() {
      await Promise.all([smtp.stop(), telnyx.stop(), slack.stop(), pagerDuty.stop()]);
    },
  };
}

/** fetch() with the bearer token and JSON body filled in. */
export async function call(
  url: string,
  token: string | undefined,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls until `check` returns a value, for state written asynchronously. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  { timeoutMs = 20_000, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The SDK's INFO output (the webpack report) buries test failures. */
export function quietRuntime() {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Installed already by an earlier test file in this jest worker.
  }
}

/**
 * A worker for the stack's task queue whose activities the test may replace
 * (to hold one until the test says so); for stacks started with `worker: false`.
 */
export async function startWorkerWith(
  stack: TestStack,
  replace: (activities: Activities) => Partial<Activities>,
): Promise<{ stop(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address: temporalAddress() });
  const api = createApiLink(stack.apiUrl, stack.internalToken);
  const activities = createActivities(api, stack.notifier?.config ?? notifyNobody());
  const worker = await createWorker(
    { connection, namespace: temporalNamespace(), api, taskQueue: stack.taskQueue },
    { activities: { ...activities, ...replace(activities) } },
  );
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      api.close();
      await connection.close();
    },
  };
}
