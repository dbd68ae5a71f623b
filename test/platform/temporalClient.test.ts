import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { connectTemporal } from '../../temporal-config/client';
import { temporalAddress, temporalNamespace } from '../support/env';

// Closing the client must end calls still waiting, never throw from the SDK's retry timer
// into whatever this process runs next.

const settled = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (err: Error) => `rejected: ${err.message}`,
  );

async function within<T>(ms: number, p: Promise<T>): Promise<T | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still waiting'>((resolve) => {
    timer = setTimeout(() => resolve('still waiting'), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('closing the Temporal client', () => {
  const uncaught: unknown[] = [];
  const record = (err: unknown) => uncaught.push(err);
  beforeAll(() => process.on('uncaughtException', record));
  afterAll(() => process.off('uncaughtException', record));
  beforeEach(() => (uncaught.length = 0));

  test('a result still being awaited is refused, and nothing is thrown afterwards', async () => {
    const temporal = await connectTemporal({
      address: temporalAddress(),
      namespace: temporalNamespace(),
    });
    // No worker polls this queue: the result is a long poll that stays open.
    const handle = await temporal.client.workflow.start('neverRuns', {
      taskQueue: `nobody-${randomUUID()}`,
      workflowId: `close-test-${randomUUID()}`,
    });
    const result = settled(handle.result());
    await new Promise((resolve) => setTimeout(resolve, 500));

    await temporal.close();
    expect(await within(10_000, result)).toMatch(/^rejected: /);
    // Longer than the SDK's largest retry delay (5 s plus jitter).
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    expect(uncaught).toEqual([]);
    await handle.terminate().catch(() => undefined);
  }, 30_000);

  test('a call retrying against an unreachable server is refused at close', async () => {
    const temporal = await connectTemporal({
      address: `127.0.0.1:${await freePort()}`,
      namespace: temporalNamespace(),
      lazy: true,
    });
    const described = settled(
      temporal.client.workflowService.describeNamespace({ namespace: temporalNamespace() }),
    );
    // Long enough for a few retries to have been scheduled.
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    await temporal.close();
    expect(await within(10_000, described)).toMatch(/^rejected: /);
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    expect(uncaught).toEqual([]);
  }, 30_000);
});
