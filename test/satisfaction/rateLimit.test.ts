import { ratingToken } from '../../api/satisfaction/links';
import { call, startTestStack, type TestStack } from '../support/stack';

// The rating links work without sign-in: guessing at them is throttled per address, like
// sign-in, on a budget of its own.

describe('the rating links’ request budget', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('csat-limit', {
      worker: false,
      api: {
        security: {
          corsOrigins: [],
          trustProxy: 'loopback',
          rateLimits: { signInPerMinute: 3, webhookPerMinute: 100, devicePerMinute: 100 },
          metricsToken: undefined,
        },
      },
    });
  });
  afterAll(() => stack?.stop());

  it('answers 429 with a wait once an address has spent its budget; sign-in keeps its own', async () => {
    const url = `${stack.apiUrl}/api/satisfaction/${ratingToken('no-such-case')}`;
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await call(url, undefined, { body: { score: 5 } })).status);
    }
    expect(statuses).toEqual([404, 404, 404, 429]);
    const limited = await call(url, undefined);
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.body.error).toMatch(/Please wait/);
    // Sign-in is not throttled by the rating budget.
    const signIn = await call(`${stack.apiUrl}/api/auth/login`, undefined, {
      body: { email: 'nobody@example.com' },
    });
    expect(signIn.status).not.toBe(429);
  });
});
