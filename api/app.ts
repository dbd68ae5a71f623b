import { createServer, type Server as HttpServer } from 'node:http';
import type { Client } from '@temporalio/client';
import express from 'express';
import { Server as SocketServer } from 'socket.io';
import type { HealthResponse } from '../contracts/api';
import { TASK_QUEUE, type CaseSettings } from '../workflows/messages';
import { storeReachable } from '../store/connection';
import { createAuthenticate, roleGuard, type Authenticate } from './auth';
import { attachDeviceGateway } from './deviceGateway';
import { errorHandler, HttpError } from './errors';
import { casesRouter } from './routes/cases';
import { devicesRouter } from './routes/devices';
import { enrollmentRouter } from './routes/enrollment';
import { internalRouter } from './routes/internal';
import { createVoice } from './voice/router';
import { authRouter } from './routes/auth';
import { customersRouter } from './routes/customers';

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
  /** Durations and limits for new cases (tests shorten them). */
  caseSettings?: Partial<CaseSettings>;
}

export interface Api {
  app: express.Express;
  http: HttpServer;
  io: SocketServer;
}

export function createApi({
  temporal,
  namespace,
  internalToken,
  taskQueue = TASK_QUEUE,
  caseSettings = {},
  sessionMs = 12 * 3_600_000,
}: ApiDeps): Api {
  const cases = { taskQueue, settings: caseSettings };
  const app = express();
  const http = createServer(app);
  const io = new SocketServer(http, { serveClient: false });
  const authenticate = createAuthenticate(internalToken);
  const requireRole = roleGuard(authenticate);
  const gateway = attachDeviceGateway(io, temporal, authenticate);
  attachPortalLive(io, authenticate);

  app.disable('x-powered-by');
  const voice = createVoice(temporal, cases);
  app.use('/api', voice.router); // raw body: before express.json
  app.use(express.json({ limit: '256kb' }));

  app.get('/api/health', async (_req, res) => {
    const [temporalOk, mongoOk] = await Promise.all([
      temporalReachable(temporal, namespace),
      storeReachable(),
    ]);
    const body: HealthResponse = {
      status: temporalOk && mongoOk ? 'ok' : 'degraded',
      temporal: temporalOk ? 'ok' : 'unreachable',
      mongo: mongoOk ? 'ok' : 'unreachable',
    };
    res.status(body.status === 'ok' ? 200 : 503).json(body);
  });
  app.use('/api', casesRouter(temporal, requireRole, cases, voice));
  app.use('/api', devicesRouter(temporal, requireRole, cases, voice));
  app.use('/api', enrollmentRouter(requireRole));
  app.use('/api/internal', internalRouter(requireRole, gateway, io));
  app.use('/api', authRouter(requireRole, sessionMs));
  app.use('/api', customersRouter(requireRole));

  app.use('/api', (req, _res, next) => {
    next(new HttpError(404, 'NOT_FOUND', `No route ${req.method} ${req.path}`));
  });
  app.use(errorHandler);
  return { app, http, io };
}

/** The portal's live view: a customer hears about their cases, operators about all. */
function attachPortalLive(io: SocketServer, authenticate: Authenticate): void {
  const portal = io.of('/portal');
  portal.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    const principal = typeof token === 'string' ? await authenticate(token) : undefined;
    if (!principal || (principal.role !== 'customer' && principal.role !== 'operator')) {
      return next(new Error('unauthorized'));
    }
    socket.data.room =
      principal.role === 'operator' ? 'operators' : `customer:${principal.customerId}`;
    next();
  });
  portal.on('connection', (socket) => void socket.join(socket.data.room as string));
}

async function temporalReachable(client: Client, namespace: string): Promise<boolean> {
  try {
    await client.connection.withDeadline(Date.now() + 2000, () =>
      client.workflowService.describeNamespace({ namespace }),
    );
    return true;
  } catch {
    return false;
  }
}
