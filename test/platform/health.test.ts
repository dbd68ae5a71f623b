import { Client, Connection } from '@temporalio/client';
import { createApi } from '../../api/app';
import { disconnectStore } from '../../store/connection';
import { freePort } from '../../temporal-config/process';
import { call, startTestStack, type TestStack } from '../support/stack';

// Anyone learns whether the service is up; which part is down is for operators.

describe('GET /api/health and /api/health/components', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('health', { worker: false });
  });
  afterAll(() => stack.stop());

  const components = (base: string) =>
    call(`${base}/api/health/components`, stack.demo.operator.token);

  it('answers 200 ok when Temporal and MongoDB are reachable, naming no part to anyone', async () => {
    const res = await call(`${stack.apiUrl}/api/health`, undefined);
    expect(res).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await components(stack.apiUrl)).toEqual({
      status: 200,
      body: { status: 'ok', temporal: 'ok', mongo: 'ok' },
    });
  });

  it('shows the parts to operators only', async () => {
    expect((await call(`${stack.apiUrl}/api/health/components`, undefined)).status).toBe(401);
    const customer = await call(`${stack.apiUrl}/api/health/components`, stack.demo.customer.token);
    expect(customer.status).toBe(403);
    expect(JSON.stringify(customer.body)).not.toMatch(/temporal|mongo/i);
  });

  it('answers 503 naming Temporal to operators when Temporal is unreachable', async () => {
    // A lazy connection to a port nobody listens on.
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    const api = createApi({ temporal: new Client({ connection }), namespace: 'zen' });
    await new Promise<void>((resolve) => api.http.listen(0, '127.0.0.1', resolve));
    const { port } = api.http.address() as { port: number };
    try {
      const base = `http://127.0.0.1:${port}`;
      expect(await call(`${base}/api/health`, undefined)).toEqual({
        status: 503,
        body: { status: 'degraded' },
      });
      expect(await components(base)).toEqual({
        status: 503,
        body: { status: 'degraded', temporal: 'unreachable', mongo: 'ok' },
      });
    } finally {
      await api.close();
    }
  });

  it('answers 503 when MongoDB is unreachable, naming no part to anyone', async () => {
    await disconnectStore();
    const res = await call(`${stack.apiUrl}/api/health`, undefined);
    expect(res).toEqual({ status: 503, body: { status: 'degraded' } });
  });
});
