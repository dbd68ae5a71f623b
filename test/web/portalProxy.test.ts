import { request } from 'node:http';
import { startPortal, type TestPortal } from '../support/portal';
import { startTestStack, type TestStack } from '../support/stack';

// The portal proxies /api for every browser: the API must still see each
// browser's own address, or one busy office would use up everyone's sign-in
// budget. Loopback has a whole /8, so two "browsers" can come from two addresses.

function loginFrom(portal: TestPortal, localAddress: string): Promise<number> {
  const url = new URL('/api/auth/login', portal.url);
  const body = JSON.stringify({ email: 'someone@example.com' });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the portal proxy and per-address limits', () => {
  let stack: TestStack;
  let portal: TestPortal;

  beforeAll(async () => {
    stack = await startTestStack('proxy', {
      worker: false,
      api: {
        security: {
          corsOrigins: [],
          trustProxy: 'loopback',
          rateLimits: { signInPerMinute: 2, webhookPerMinute: 100, devicePerMinute: 100 },
          metricsToken: undefined,
        },
      },
    });
    portal = await startPortal(stack.apiUrl, 'http://127.0.0.1:8233');
  }, 120_000);
  afterAll(async () => {
    await portal?.stop();
    await stack?.stop();
  });

  it('counts sign-ins per browser address, not per portal', async () => {
    const first = [];
    for (let i = 0; i < 3; i++) first.push(await loginFrom(portal, '127.0.0.2'));
    expect(first).toEqual([202, 202, 429]);
    // Another browser behind the same portal still has its own budget.
    expect(await loginFrom(portal, '127.0.0.3')).toBe(202);
  });
});
