import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { HealthResponse } from '../contracts/api';
import { storeReachable } from '../store/connection';
import type { RequireRole } from './auth';

// Health for anyone (load balancers, the box, the public status page): up or degraded and
// nothing more. Which part is down, and what the parts are, is for operators.

export interface PublicHealth {
  status: HealthResponse['status'];
}

export function healthRouter(temporal: Client, namespace: string, requireRole: RequireRole) {
  const router = Router();
  const check = async (): Promise<HealthResponse> => {
    const [temporalOk, mongoOk] = await Promise.all([
      temporalReachable(temporal, namespace),
      storeReachable(),
    ]);
    return {
      status: temporalOk && mongoOk ? 'ok' : 'degraded',
      temporal: temporalOk ? 'ok' : 'unreachable',
      mongo: mongoOk ? 'ok' : 'unreachable',
    };
  };
  const code = (body: { status: string }) => (body.status === 'ok' ? 200 : 503);

  router.get('/health', async (_req, res) => {
    const { status } = await check();
    const body: PublicHealth = { status };
    res.status(code(body)).json(body);
  });
  router.get('/health/components', requireRole('operator'), async (_req, res) => {
    const body = await check();
    res.status(code(body)).json(body);
  });
  return router;
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
