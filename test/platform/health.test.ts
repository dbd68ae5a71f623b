import { Client, Connection } from '@temporalio/client';
import { createApi } from '../../api/app';
import { disconnectStore } from '../../store/connection';
import { freePort } from '../../temporal-config/process';
import { call, startTestStack, type TestStack } from '../support/stack';

describe('GET /api/health', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('health', { worker: false });
  });
  afterAll(() => stack.stop());

  it('answers 200 ok when Temporal and MongoDB are reachable', async () => {
    const res = await call(`${stack.apiUrl}/api/health`, undefined);
    expect(res).toEqual({ status: 200, body: { status: 'ok', temporal: 'ok', mongo: 'ok' } });
  });

  it('answers 503 naming Temporal when Temporal is unreachable', async () => {
    // A lazy connection to a port nobody listens on.
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    const api = createApi({ temporal: new Client({ connection }), namespace: 'zen' });
    await new Promise<void>((resolve) => api.http.listen(0, '127.0.0.1', resolve));
    const { port } = api.http.address() as { port: number };
    try {
      const res = await call(`http://127.0.0.1:${port}/api/health`, undefined);
      expect(res).toEqual({
        status: 503,
        body: { status: 'degraded', temporal: 'unreachable', mongo: 'ok' },
      });
    } finally {
      await api.close();
    }
  });

  it('answers 503 naming MongoDB when MongoDB is unreachable', async () => {
    await disconnectStore();
    const res = await call(`${stack.apiUrl}/api/health`, undefined);
    expect(res).toEqual({
      status: 503,
      body: { status: 'degraded', temporal: 'ok', mongo: 'unreachable' },
    });
  });
});
