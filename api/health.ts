import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { HealthResponse } from '../contracts/api';
import { storeReachable } from '../store/connection';
import type { RequireRole } from './auth';
import type { SocketBus } from './socketBus';

// Health for anyone (load balancers, the box, the public status page): up or degraded and
// nothing more. Which part is down, and what the parts are, is for operators.

export interface PublicHealth {
  status: HealthResponse['status'];
}

/** With several API instances, `bus` says whether this one hears the others (api/socketBus.ts). */
export function healthRouter(
  temporal: Client,
  namespace: string,
  requireRole: RequireRole,
  bus?: SocketBus,
) {
  const router = Router();
  const check = async (): Promise<HealthResponse> => {
    const [temporalOk, mongoOk, busOk] = await Promise.all([
      temporalReachable(temporal, namespace),
      storeReachable(),
      bus?.connected(),
    ]);
    return {
      status: temporalOk && mongoOk && busOk !== false ? 'ok' : 'degraded',
      temporal: temporalOk ? 'ok' : 'unreachable',
      mongo: mongoOk ? 'ok' : 'unreachable',
      ...(bus && { bus: busOk ? 'ok' : 'unreachable' }),
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
