import { createServer, type Server as HttpServer } from 'node:http';
import type { Client } from '@temporalio/client';
import express from 'express';
import { Server as SocketServer } from 'socket.io';
import { OpenCaseRequest, type HealthResponse } from '../contracts/api';
import { storeReachable } from '../store/connection';
import { requireRole } from './auth';
import { getCase, listCases, openCase } from './cases';
import { attachDeviceGateway } from './deviceGateway';
import { errorHandler, HttpError } from './errors';

// The HTTP API and its socket.io server, wired to a Temporal client.

export interface ApiDeps {
  temporal: Client;
  namespace: string;
}

export interface Api {
  app: express.Express;
  http: HttpServer;
  io: SocketServer;
}

export function createApi({ temporal, namespace }: ApiDeps): Api {
  const app = express();
  app.disable('x-powered-by');
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

  app.post('/api/cases', requireRole('customer', 'operator', 'device'), async (req, res) => {
    const body = OpenCaseRequest.parse(req.body);
    const principal = req.principal!;
    // A device can only report for itself, and its cases are agent-initiated.
    const channel = principal.role === 'device' ? 'agent' : body.channel;
    const opened = await openCase(temporal, principal, { ...body, channel });
    res.status(opened.joined ? 200 : 201).json(opened);
  });

  app.get('/api/cases', requireRole('customer', 'operator'), async (req, res) => {
    res.json({ cases: await listCases(req.principal!) });
  });

  app.get('/api/cases/:id', requireRole('customer', 'operator'), async (req, res) => {
    res.json(await getCase(req.principal!, String(req.params.id)));
  });

  app.use('/api', (req, _res, next) => {
    next(new HttpError(404, 'NOT_FOUND', `No route ${req.method} ${req.path}`));
  });
  app.use(errorHandler);

  const http = createServer(app);
  const io = new SocketServer(http, { serveClient: false });
  attachDeviceGateway(io);
  return { app, http, io };
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
