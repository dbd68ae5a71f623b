import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import {
  NotificationEventType,
  OperatorChannel,
  type NotificationEventType as EventType,
  type OperatorChannel as OperatorChannelName,
} from '../contracts/notifications';
import {
  INSECURE_DEVELOPMENT_CODEC_KEY,
  parseCodecKeys,
  type CodecKey,
} from '../temporal-config/codec/keys';

// Every setting the servers read, in one place, from the environment.
// Defaults are the local stack that `npm start` runs.

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const optional = z
  .string()
  .optional()
  .transform((v) => (v ? v : undefined));

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  DATA_DIR: z.string().default(path.resolve(__dirname, '..', '.data')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // The demo site of `npm start` (on there by default): simulated Zen boxes that the portal may
  // put into a fault. Refused in production.
  DEMO_MODE: z.preprocess((v) => (v === '' ? undefined : v), z.stringbool().default(false)),

  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_ADDRESS: optional,
  TEMPORAL_NAMESPACE: z.string().min(1).default('zen'),
  TEMPORAL_UI_URL: optional,
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('support-cases'),
  // The payload codec's AES-256 keys, `id:base64key,...`, the first encrypting (see
  // temporal-config/codec/keys.ts). Required in production; elsewhere a public development key.
  TEMPORAL_CODEC_KEYS: optional,
  // Where the Temporal UI asks for payloads to be decoded: the portal's /api/codec, so the
  // operator's portal sign-in (its cookie) comes along.
  TEMPORAL_CODEC_ENDPOINT: optional,

  MONGO_PORT: port(27017),
  MONGO_URL: optional,

  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port(4000),
  API_URL: optional,
  PORTAL_PORT: port(3000),
  PORTAL_URL: optional,
  // `npm run cluster` (cluster/main.ts): HAProxy's front, its stats page, and PostgreSQL.
  CLUSTER_PORT: port(8080),
  CLUSTER_STATS_PORT: port(8404),
  CLUSTER_POSTGRES_PORT: port(5432),
  // Shared by the worker and the API for the worker's calls (device pushes, live updates).
  INTERNAL_API_TOKEN: optional,
  // Email for one-time codes: real SMTP, or the local sink under npm start.
  SMTP_URL: optional,
  MAIL_FROM: z.string().default('Zen & Zen Support <support@zen-support.example>'),
  SESSION_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  // Cross-origin browsers allowed to call the API (comma-separated origins); none by default.
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  // Which proxies' X-Forwarded-For to believe (express "trust proxy"): the portal's.
  TRUST_PROXY: z.string().min(1).default('loopback'),
  RATE_LIMIT_SIGNIN_PER_MINUTE: z.coerce.number().int().positive().default(20),
  RATE_LIMIT_WEBHOOK_PER_MINUTE: z.coerce.number().int().positive().default(600),
  RATE_LIMIT_DEVICE_PER_MINUTE: z.coerce.number().int().positive().default(1200),
  // Signs the portal's 15-minute access tokens; all API instances share it. Without it
  // each API process makes its own (a restart then asks browsers to refresh once).
  JWT_SECRET: z
    .string()
    .min(32, 'JWT_SECRET must be at least 32 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  // Wraps every customer's and person's data key (privacy/keys.ts): 32 bytes, base64.
  // Required in production; elsewhere a fixed development key, so data survives restarts.
  PII_MASTER_KEY: optional,
  // When set, /metrics answers only with this bearer token.
  METRICS_TOKEN: optional,
  WORKER_METRICS_PORT: port(9464),
  // Where the worker's /metrics listens: loopback, unless a scraper on another host needs it.
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  // The Temporal SDK's own Prometheus exporter, on loopback; /metrics on the worker includes it.
  TEMPORAL_SDK_METRICS_PORT: port(9465),
  CASE_APPROVAL_TIMEOUT_MINUTES: z.coerce.number().positive().default(15),
  CASE_SETTLE_AFTER_FIX_SECONDS: z.coerce.number().nonnegative().default(60),
  // After the customer was told what to do for an unreachable Zen box, how long its case waits.
  CASE_MANUAL_STEP_WAIT_MINUTES: z.coerce.number().positive().default(30),
  CASE_CUSTOMER_STEP_WAIT_MINUTES: z.coerce.number().positive().default(30),
  // socket.io's transport ping decides when a silent Zen box counts as offline: a socket whose
  // line stops carrying packets (no FIN) is dropped at most interval + timeout after its last
  // pong. Heartbeats cannot decide it: on LTE they come every 5 minutes.
  SOCKET_PING_INTERVAL_MS: z.coerce.number().int().min(100).default(25_000),
  SOCKET_PING_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
  // Several API instances: PostgreSQL (postgres://…/zen_bus) carrying socket.io's room emits
  // between them (api/socketBus.ts). Unset, one instance keeps its sockets in memory.
  SOCKET_BUS_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'SOCKET_BUS_URL must be a postgres:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  // A case handed to the technicians that nobody works on is closed as escalated after this
  // long; 0 ends a case at its hand-over (no technician phase).
  CASE_TECHNICIAN_WAIT_DAYS: z.coerce.number().min(0).max(90).default(14),
  // Service levels for customers who have none of their own (contracts/technician.ts).
  SLA_FIRST_RESPONSE_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  SLA_RESOLUTION_MINUTES: z.coerce.number().int().min(1).max(43_200).default(480),
  // A box whose socket dropped this long ago is noticed offline (box_offline) by the sweep.
  OFFLINE_NOTICE_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(5),
  // A box still marked online with no lastSeen write for this long is silent too: its API
  // instance died holding its socket. lastSeen is written at least every 5 minutes while
  // beats come, and beats over LTE come every 5 minutes, so at least 10.
  OFFLINE_UNCLOSED_SOCKET_MINUTES: z.coerce
    .number()
    .min(10)
    .max(24 * 60)
    .default(15),

  // The advisor: Claude when a key is set, the offline expert engine otherwise.
  // Telnyx Call Control: the real service when a key is set, the local stand-in otherwise.
  TELNYX_API_KEY: optional,
  TELNYX_PUBLIC_KEY: optional,
  TELNYX_BASE_URL: optional,
  TELNYX_CONNECTION_ID: optional,
  VOICE_FROM_NUMBER: optional,
  TELNYX_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  // Several API instances: this instance's name (api-1, api-2, …) in its log lines, and in the
  // others' when they pass it a call's event. Telnyx posts every call's webhooks to the number's
  // connection (the load balancer's address); an event for a call that another instance holds
  // goes to that instance over the bus (api/voice/callHandoff.ts).
  API_INSTANCE: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'API_INSTANCE: lower-case letters, digits and dashes')
    .optional()
    .or(z.literal('').transform(() => undefined)),

  // The notifier (notifier/): SMS through Telnyx Messaging (TELNYX_API_KEY, TELNYX_BASE_URL) from
  // this number; operators by email, a Slack-compatible incoming webhook and PagerDuty.
  SMS_FROM_NUMBER: optional,
  // The support line customers call (said in notifications: "call it and press 1").
  SUPPORT_PHONE_NUMBER: z.string().default('+15550000100'),
  SLACK_WEBHOOK_URL: optional,
  PAGERDUTY_ROUTING_KEY: optional,
  PAGERDUTY_EVENTS_URL: z.string().url().default('https://events.pagerduty.com/v2/enqueue'),
  OPERATOR_EMAIL: optional,
  // JSON, e.g. {"box_offline":["slack"]}: which operator channels hear of each event type,
  // over the defaults below.
  NOTIFY_OPERATOR_ROUTING: optional,
  // A delivery that keeps failing is retried with backoff for this long, then recorded failed.
  NOTIFY_RETRY_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(60),
  NOTIFY_RETRY_FIRST_SECONDS: z.coerce.number().positive().default(5),

  // Retention (activities/retention.ts, README "What we keep, why, and for how long"): how
  // long each kind of data is kept once it has served its purpose. The daily retention
  // schedule deletes what is older; the Temporal namespace keeps closed case histories as long.
  // Two years: a closed case, its audit trail and its fixes answer a dispute or a warranty
  // claim, and the numbers compare a year with the one before.
  RETENTION_CLOSED_CASE_DAYS: z.coerce.number().int().min(30).max(3650).default(730),
  // A year of hourly health (the monthly report and "is it worse than last winter"); the
  // history's compaction already drops hours older than a year, so never more.
  RETENTION_HEALTH_DAYS: z.coerce.number().int().min(30).max(366).default(366),
  // Telnyx repeats an event within hours; a month more is for looking into a call.
  RETENTION_WEBHOOK_EVENT_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  // Sessions, counted from their expiry: a month to see who was signed in during an incident.
  RETENTION_SIGN_IN_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  // One-time and enrollment codes, counted from their expiry: a week to answer "my code
  // did not work"; a code is useless after it expires.
  RETENTION_CODE_DAYS: z.coerce.number().int().min(0).max(90).default(7),
  // Rows deleted per batch, and batches per kind per daily run (the rest goes the next day).
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  RETENTION_MAX_BATCHES: z.coerce.number().int().min(1).max(10_000).default(200),

  ANTHROPIC_API_KEY: optional,
  ANTHROPIC_BASE_URL: optional,
  ANTHROPIC_MODEL: z.string().min(1).default('claude-sonnet-5-5'),
  ANTHROPIC_MAX_TOKENS: z.coerce.number().int().min(256).max(8192).default(1024),
  // Below the advise activity's 10 s start-to-close timeout, so the fallback still has time.
  ANTHROPIC_TIMEOUT_MS: z.coerce.number().int().min(1000).max(9000).default(8000),
});

/** Operators hear of a case a person must take, and of boxes and lines going down. */
const defaultOperatorRouting: Record<EventType, OperatorChannelName[]> = {
  approval_waiting: [],
  approval_reminder: [],
  case_resolved: ['pagerduty'],
  case_escalated: ['email', 'slack', 'pagerduty'],
  case_taken_over: ['pagerduty'],
  case_not_fixable_remotely: ['pagerduty'],
  technician_message: [],
  sla_breached: ['email', 'slack', 'pagerduty'],
  box_offline: ['slack'],
  box_online: ['slack', 'pagerduty'],
  internet_down: ['slack'],
  internet_recovered: ['slack', 'pagerduty'],
};

const OperatorRouting = z.partialRecord(NotificationEventType, z.array(OperatorChannel).max(3));

function operatorRouting(json: string | undefined): Record<EventType, OperatorChannelName[]> {
  if (!json) return defaultOperatorRouting;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('Invalid environment:\n  NOTIFY_OPERATOR_ROUTING: not JSON');
  }
  const parsed = OperatorRouting.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `Invalid environment:\n  NOTIFY_OPERATOR_ROUTING: ${parsed.error.issues[0]?.message}`,
    );
  }
  return { ...defaultOperatorRouting, ...parsed.data };
}

function codecKeys(setting: string | undefined, env: string): CodecKey[] {
  if (!setting) {
    if (env === 'production') {
      throw new Error(
        'Invalid environment:\n  TEMPORAL_CODEC_KEYS: required in production (id:base64key of 32 bytes); the Temporal payloads are encrypted with it',
      );
    }
    return [INSECURE_DEVELOPMENT_CODEC_KEY];
  }
  try {
    return parseCodecKeys(setting);
  } catch (err) {
    throw new Error(`Invalid environment:\n  ${(err as Error).message}`);
  }
}

/**
 * Known to everyone who reads this file: it protects nothing, and production refuses to
 * start without a key of its own.
 */
export const INSECURE_DEVELOPMENT_PII_MASTER_KEY = createHash('sha256')
  .update('zen-and-zen INSECURE DEVELOPMENT-ONLY personal-data master key')
  .digest();

function piiMasterKey(base64: string | undefined, nodeEnv: string): Buffer {
  if (!base64) {
    if (nodeEnv === 'production') {
      throw new Error(
        'Invalid environment:\n  PII_MASTER_KEY: required in production (32 random bytes, base64)',
      );
    }
    return INSECURE_DEVELOPMENT_PII_MASTER_KEY;
  }
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) {
    throw new Error('Invalid environment:\n  PII_MASTER_KEY: must be 32 bytes, base64');
  }
  return key;
}

/** The cloud must notice a silent box within two minutes; this leaves room for the signal. */
const maxOfflineNoticeMs = 90_000;

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  if (e.SOCKET_PING_INTERVAL_MS + e.SOCKET_PING_TIMEOUT_MS > maxOfflineNoticeMs) {
    throw new Error(
      `Invalid environment:\n  SOCKET_PING_INTERVAL_MS + SOCKET_PING_TIMEOUT_MS must be at most ${maxOfflineNoticeMs} ms: a silent Zen box must count as offline within two minutes`,
    );
  }
  if (e.DEMO_MODE && e.NODE_ENV === 'production') {
    throw new Error(
      'Invalid environment:\n  DEMO_MODE: the demo site (simulated boxes anyone signed in can break) is never on in production',
    );
  }
  const portalUrl = e.PORTAL_URL ?? `http://127.0.0.1:${e.PORTAL_PORT}`;
  const uiUrl = e.TEMPORAL_UI_URL ?? `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`;
  return {
    env: e.NODE_ENV,
    privacy: { masterKey: piiMasterKey(e.PII_MASTER_KEY, e.NODE_ENV) },
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_PORT}`,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      // Local when nobody pointed us at an existing server.
      local: !e.TEMPORAL_ADDRESS,
      port: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      uiUrl,
      codecKeys: codecKeys(e.TEMPORAL_CODEC_KEYS, e.NODE_ENV),
      codecEndpoint: e.TEMPORAL_CODEC_ENDPOINT ?? `${portalUrl}/api/codec`,
      /** The one origin whose pages may call the codec endpoint from a browser: the Temporal UI's. */
      uiOrigin: new URL(uiUrl).origin,
    },
    mongo: {
      url: e.MONGO_URL ?? `mongodb://127.0.0.1:${e.MONGO_PORT}/zen`,
      local: !e.MONGO_URL,
      port: e.MONGO_PORT,
    },
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      url: e.API_URL ?? `http://127.0.0.1:${e.API_PORT}`,
      /** This instance's name among several, for the logs. */
      instance: e.API_INSTANCE,
    },
    internalToken: e.INTERNAL_API_TOKEN,
    security: {
      corsOrigins: e.CORS_ORIGINS,
      trustProxy: e.TRUST_PROXY,
      rateLimits: {
        signInPerMinute: e.RATE_LIMIT_SIGNIN_PER_MINUTE,
        webhookPerMinute: e.RATE_LIMIT_WEBHOOK_PER_MINUTE,
        devicePerMinute: e.RATE_LIMIT_DEVICE_PER_MINUTE,
      },
      metricsToken: e.METRICS_TOKEN,
    },
    jwtSecret: e.JWT_SECRET,
    worker: {
      metricsPort: e.WORKER_METRICS_PORT,
      metricsHost: e.WORKER_METRICS_HOST,
      sdkMetricsPort: e.TEMPORAL_SDK_METRICS_PORT,
    },
    mail: { smtpUrl: e.SMTP_URL, mailFrom: e.MAIL_FROM },
    sessionMs: e.SESSION_HOURS * 3_600_000,
    caseSettings: {
      approvalTimeoutMs: e.CASE_APPROVAL_TIMEOUT_MINUTES * 60_000,
      settleAfterFixMs: e.CASE_SETTLE_AFTER_FIX_SECONDS * 1000,
      manualStepWaitMs: e.CASE_MANUAL_STEP_WAIT_MINUTES * 60_000,
      customerStepWaitMs: e.CASE_CUSTOMER_STEP_WAIT_MINUTES * 60_000,
      technicianWaitMs: Math.round(e.CASE_TECHNICIAN_WAIT_DAYS * 24 * 3_600_000),
    },
    sla: {
      firstResponseMinutes: e.SLA_FIRST_RESPONSE_MINUTES,
      resolutionMinutes: e.SLA_RESOLUTION_MINUTES,
    },
    socket: {
      pingIntervalMs: e.SOCKET_PING_INTERVAL_MS,
      pingTimeoutMs: e.SOCKET_PING_TIMEOUT_MS,
      busUrl: e.SOCKET_BUS_URL,
    },
    offline: {
      offlineAfterMs: e.OFFLINE_NOTICE_MINUTES * 60_000,
      unclosedSocketAfterMs:
        Math.max(e.OFFLINE_UNCLOSED_SOCKET_MINUTES, e.OFFLINE_NOTICE_MINUTES) * 60_000,
    },
    voice: {
      telnyx:
        e.TELNYX_API_KEY && e.TELNYX_PUBLIC_KEY
          ? {
              apiKey: e.TELNYX_API_KEY,
              publicKey: e.TELNYX_PUBLIC_KEY,
              baseURL: e.TELNYX_BASE_URL,
              connectionId: e.TELNYX_CONNECTION_ID,
              fromNumber: e.VOICE_FROM_NUMBER,
              maxRetries: e.TELNYX_MAX_RETRIES,
            }
          : undefined,
    },
    advisor: {
      anthropic: e.ANTHROPIC_API_KEY
        ? {
            apiKey: e.ANTHROPIC_API_KEY,
            baseURL: e.ANTHROPIC_BASE_URL,
            model: e.ANTHROPIC_MODEL,
            maxTokens: e.ANTHROPIC_MAX_TOKENS,
            timeoutMs: e.ANTHROPIC_TIMEOUT_MS,
          }
        : undefined,
    },
    retention: {
      closedCaseDays: e.RETENTION_CLOSED_CASE_DAYS,
      healthDays: e.RETENTION_HEALTH_DAYS,
      webhookEventDays: e.RETENTION_WEBHOOK_EVENT_DAYS,
      signInDays: e.RETENTION_SIGN_IN_DAYS,
      codeDays: e.RETENTION_CODE_DAYS,
      batchSize: e.RETENTION_BATCH_SIZE,
      maxBatches: e.RETENTION_MAX_BATCHES,
    },
    demo: {
      enabled: e.DEMO_MODE,
      /** Each simulated demo box's control socket: `<deviceId>.sock`, owned by npm start. */
      controlDir: path.join(e.DATA_DIR, 'demo'),
    },
    cluster: {
      port: e.CLUSTER_PORT,
      statsPort: e.CLUSTER_STATS_PORT,
      postgresPort: e.CLUSTER_POSTGRES_PORT,
    },
    portal: {
      port: e.PORTAL_PORT,
      url: e.PORTAL_URL ?? `http://127.0.0.1:${e.PORTAL_PORT}`,
    },
    notifier: {
      portalUrl: e.PORTAL_URL ?? `http://127.0.0.1:${e.PORTAL_PORT}`,
      supportNumber: e.SUPPORT_PHONE_NUMBER,
      email: e.SMTP_URL ? { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM } : undefined,
      sms:
        e.TELNYX_API_KEY && e.SMS_FROM_NUMBER
          ? {
              apiKey: e.TELNYX_API_KEY,
              baseURL: e.TELNYX_BASE_URL,
              from: e.SMS_FROM_NUMBER,
              maxRetries: e.TELNYX_MAX_RETRIES,
            }
          : undefined,
      slackWebhookUrl: e.SLACK_WEBHOOK_URL,
      pagerDuty: e.PAGERDUTY_ROUTING_KEY
        ? { routingKey: e.PAGERDUTY_ROUTING_KEY, eventsUrl: e.PAGERDUTY_EVENTS_URL }
        : undefined,
      operatorEmail: e.OPERATOR_EMAIL,
      operatorRouting: operatorRouting(e.NOTIFY_OPERATOR_ROUTING),
      retry: {
        forMs: e.NOTIFY_RETRY_MINUTES * 60_000,
        firstMs: e.NOTIFY_RETRY_FIRST_SECONDS * 1000,
      },
    },
  };
}
