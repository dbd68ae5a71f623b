import { createServer, type Server as HttpServer } from 'node:http';
import type { Client } from '@temporalio/client';
import type { SlaSettings } from '../contracts/technician';
import express from 'express';
import helmet from 'helmet';
import cookieParser from 'cookie-parser';
import { Server as SocketServer } from 'socket.io';
import { TASK_QUEUE, type CaseSettings } from '../workflows/messages';
import {
  createAuthenticate,
  roleGuard,
  sessionCookie,
  type Authenticate,
  type Principal,
} from './auth';
import { attachCaseStepRelay } from './caseStepRelay';
import { attachDeviceGateway } from './deviceGateway';
import { attachSocketBus } from './socketBus';
import { createDeviceMonitoring } from './monitoring';
import { createHealthLive } from './monitoring/live';
import { attachInternalLink } from './internalLink';
import { errorHandler, HttpError } from './errors';
import { casesRouter } from './routes/cases';
import { technicianRouter } from './routes/technician';
import { devicesRouter } from './routes/devices';
import { enrollmentRouter } from './routes/enrollment';
import { createVoice } from './voice/router';
import { authRouter } from './routes/auth';
import { customersRouter } from './routes/customers';
import { notificationSettingsRouter } from './routes/notificationSettings';
import { deviceTokensRouter } from './routes/deviceTokens';
import { loadConfig } from '../config';
import { createLogger, type Logger } from '../observability/logger';
import { metricsGuard, metricsHandler } from '../observability/metrics';
import { createAccessTokens } from './accessTokens';
import { corsAllowlist } from './cors';
import { openApiDocument } from './openapi';
import { rateLimiters } from './limits';
import { observeRequests } from './observe';
import { fleetRouter } from './routes/fleet';
import { deviceHealthRouter } from './routes/health';
import { healthRouter } from './health';
import { speedTestRouter } from './routes/speedTest';
import { demoRouter } from './routes/demo';
import { satisfactionRouter } from './routes/satisfaction';
import { kpiRouter } from './routes/kpi';
import { registerKpiMetrics } from './kpi/metrics';
import { reportsRouter } from './routes/reports';
import { fixesRouter } from './routes/fixes';
import { codecPath, codecRouter } from './routes/codec';
import { AesGcmPayloadCodec } from '../temporal-config/codec/aesGcmCodec';
import { tenantsRouter } from './routes/tenants';
import { peopleRouter } from './routes/people';
import { sitesRouter } from './routes/sites';
import { partnersRouter } from './routes/partners';
import { tokensRouter } from './routes/tokens';
import { privacyRouter } from './routes/privacy';

// The HTTP API and its socket.io server, wired to a Temporal client.

export interface ApiDeps {
  temporal: Client;
  namespace: string;
  /** The worker's service token; without it the internal routes refuse everyone. */
  internalToken?: string;
  /** Task queue of new cases; tests give each file its own so workers do not mix. */
  taskQueue?: string;
  /** How long a portal sign-in lasts. */
  sessionMs?: number;
  /** Signs portal access tokens; every API instance needs the same one (default: per process). */
  jwtSecret?: string;
  /** The portal is served over https: its session cookie is marked Secure. */
  secureCookies?: boolean;
  /** Durations and limits for new cases (tests shorten them). */
  caseSettings?: Partial<CaseSettings>;
  /** Service levels for customers without their own (default: from the environment). */
  sla?: SlaSettings;
  /** CORS allowlist, rate limits and the metrics token (default: from the environment). */
  security?: ReturnType<typeof loadConfig>['security'];
  /** socket.io's ping: how soon a silent device counts as offline (default: from the environment). */
  socket?: ReturnType<typeof loadConfig>['socket'];
  logger?: Logger;
  /** This instance's name among several (API_INSTANCE), said in the others' logs. */
  instance?: string;
  /** The demo site's routes: mounted only when enabled (default: from the environment). */
  demo?: ReturnType<typeof loadConfig>['demo'];
  /** The Temporal UI's codec endpoint: its keys and the UI's origin (default: from the environment). */
  codec?: Pick<ReturnType<typeof loadConfig>['temporal'], 'codecKeys' | 'uiOrigin'>;
}

export interface Api {
  app: express.Express;
  http: HttpServer;
  io: SocketServer;
  /** Stops accepting, drops every socket and waits for their handlers to finish. */
  close(): Promise<void>;
}

export function createApi({
  temporal,
  namespace,
  internalToken,
  taskQueue = TASK_QUEUE,
  caseSettings = {},
  sla = loadConfig().sla,
  sessionMs = 12 * 3_600_000,
  security = loadConfig().security,
  socket = loadConfig().socket,
  logger = createLogger('api'),
  instance,
  secureCookies = false,
  jwtSecret,
  demo = loadConfig().demo,
  codec = loadConfig().temporal,
}: ApiDeps): Api {
  const cases = { taskQueue, settings: caseSettings, sla };
  const app = express();
  const http = createServer(app);
  const io = new SocketServer(http, {
    serveClient: false,
    pingInterval: socket.pingIntervalMs,
    pingTimeout: socket.pingTimeoutMs,
    cors: { origin: security.corsOrigins, credentials: true },
  });
  // Before any namespace is used: rooms span every API instance sharing the bus.
  const bus = socket.busUrl
    ? attachSocketBus(io, socket.busUrl, logger, () => {
        resyncPortalLive(io);
        gateway.retellCaseStatuses().catch((err: unknown) => {
          logger.warn({ err }, 'boxes not told their case statuses again after the bus came back');
        });
      })
    : undefined;
  const accessTokens = createAccessTokens(jwtSecret);
  const authenticate = createAuthenticate(internalToken, accessTokens);
  const requireRole = roleGuard(authenticate);
  // With the bus, a call's events reach the instance that holds the call (voice/callHandoff.ts).
  const voice = createVoice(
    temporal,
    cases,
    bus ? { handoff: { bus: io.sockets, logger, instance } } : {},
  );
  const monitoring = createDeviceMonitoring({
    temporal,
    defaults: cases,
    voice,
    logger,
    live: createHealthLive(io),
  });
  const gateway = attachDeviceGateway(io, temporal, authenticate, logger, monitoring);
  attachPortalLive(io, authenticate);
  const relayStep = attachCaseStepRelay(io, gateway, !!bus);
  attachInternalLink(io, authenticate, gateway, relayStep, voice, logger);

  app.disable('x-powered-by');
  // The portal proxies /api: its address, not the browser's, would otherwise be everyone's.
  app.set('trust proxy', security.trustProxy);
  app.use(observeRequests(logger));
  app.use(helmet());
  // Its own CORS (the Temporal UI's origin) and body limit: before the API's.
  app.use(
    codecPath,
    codecRouter(requireRole, {
      codec: new AesGcmPayloadCodec(codec.codecKeys),
      namespace,
      uiOrigin: codec.uiOrigin,
      logger,
    }),
  );
  app.use(corsAllowlist(security.corsOrigins));
  registerKpiMetrics(logger);
  app.get('/metrics', metricsGuard(security.metricsToken), metricsHandler());

  const limits = rateLimiters(security.rateLimits);
  app.use(['/api/auth/login', '/api/auth/verify-caller'], limits.signIn);
  app.use('/api/voice', limits.webhook);
  app.use('/api/device', limits.device);
  app.use('/api/satisfaction', limits.publicLink);

  app.use('/api', voice.router); // raw body: before express.json
  app.use('/api', speedTestRouter(requireRole)); // a byte stream: before express.json
  app.use(express.json({ limit: '256kb' }));
  app.use(cookieParser());

  const openApi = openApiDocument();
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use('/api', healthRouter(temporal, namespace, requireRole, bus));
  app.use('/api', casesRouter(temporal, requireRole, cases, voice));
  app.use('/api', technicianRouter(temporal, requireRole));
  app.use('/api', devicesRouter(temporal, requireRole, cases, voice));
  app.use('/api', enrollmentRouter(requireRole));
  app.use(
    '/api',
    authRouter(requireRole, { sessionMs, secureCookies, accessTokens, authenticate, logger }),
  );
  app.use('/api', customersRouter(requireRole, sla));
  app.use('/api', tenantsRouter(requireRole, logger)); // after customersRouter: /customers/me first
  app.use('/api', peopleRouter(requireRole, logger));
  app.use('/api', sitesRouter(requireRole));
  app.use('/api', partnersRouter(requireRole, logger));
  app.use('/api', notificationSettingsRouter(requireRole));
  app.use('/api', reportsRouter(requireRole));
  app.use('/api', deviceTokensRouter(requireRole, gateway));
  app.use('/api', fleetRouter(requireRole));
  app.use('/api', deviceHealthRouter(requireRole));
  app.use('/api', satisfactionRouter(requireRole));
  app.use('/api', kpiRouter(requireRole));
  app.use('/api', fixesRouter(requireRole));
  app.use('/api', tokensRouter(requireRole));
  app.use('/api', privacyRouter(temporal, requireRole));
  if (demo.enabled) app.use('/api', demoRouter(requireRole, demo));

  app.use('/api', (req, _res, next) => {
    next(new HttpError(404, 'NOT_FOUND', `No route ${req.method} ${req.path}`));
  });
  app.use(errorHandler(logger));
  const close = async () => {
    // Closing socket.io closes the HTTP server too; the sockets' handlers still run.
    await new Promise<void>((resolve) => io.close(() => resolve()));
    await gateway.close();
    await bus?.close();
  };
  return { app, http, io, close };
}

/**
 * The portal's live view: a customer hears about their cases, a partner about its
 * customers' (as they were when it connected), operators about all. Browsers reach it
 * through the portal's same-origin proxy with the session cookie; other clients give a
 * token in the handshake's auth.
 */
function attachPortalLive(io: SocketServer, authenticate: Authenticate): void {
  const portal = io.of('/portal');
  portal.use(async (socket, next) => {
    const given = (socket.handshake.auth as { token?: unknown }).token;
    const token =
      typeof given === 'string' ? given : sessionCookie(socket.handshake.headers.cookie);
    const principal = token ? await authenticate(token) : undefined;
    const rooms = principal && liveRooms(principal);
    if (!rooms) return next(new Error('unauthorized'));
    socket.data.rooms = rooms;
    next();
  });
  portal.on('connection', (socket) => void socket.join(socket.data.rooms as string[]));
}

/**
 * Tells this instance's portal clients to read what they show again: steps relayed by
 * the other instances while this one could not hear them were lost (useLive's onResync).
 */
function resyncPortalLive(io: SocketServer): void {
  io.of('/portal').local.emit('live:resync');
}

/** The rooms a portal principal listens in; undefined for those with no live view. */
function liveRooms(principal: Principal): string[] | undefined {
  switch (principal.role) {
    case 'operator':
      return ['operators'];
    case 'partner':
      return (principal.customerIds ?? []).map((id) => `customer:${id}`);
    case 'customer':
      return [`customer:${principal.customerId}`];
    default:
      return undefined;
  }
}
