import { createHmac } from 'node:crypto';
import { createAccessTokens } from './accessTokens';

// Access tokens: only our own signature, our algorithm, our audience, and never
// past their expiry.

const secret = 'a-test-secret-that-is-long-enough-0123456789';
const claims = { userId: 'u1', role: 'customer' as const, customerId: 'c1', sessionId: 's1' };

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const parts = (token: string) => token.split('.') as [string, string, string];

describe('access tokens', () => {
  const tokens = createAccessTokens(secret);

  it('round-trips its own claims and lives 15 minutes at most', async () => {
    const { token, expiresAt } = await tokens.issue(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    expect(expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
    expect(() => createAccessTokens(secret, 16 * 60_000)).toThrow(/15 minutes/);
    expect(() => createAccessTokens('short')).toThrow(/32 characters/);
  });

  it('refuses a token signed with another secret', async () => {
    const other = createAccessTokens('another-secret-that-is-long-enough-98765');
    expect(await tokens.verify((await other.issue(claims)).token)).toBeUndefined();
  });

  it('refuses a token whose claims were changed after signing', async () => {
    const [header, payload, signature] = parts((await tokens.issue(claims)).token);
    const raised = {
      ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
      role: 'operator',
    };
    expect(await tokens.verify(`${header}.${b64(raised)}.${signature}`)).toBeUndefined();
  });

  it('refuses alg "none" and a correctly signed token of another algorithm', async () => {
    const [, payload] = parts((await tokens.issue(claims)).token);
    expect(await tokens.verify(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`)).toBeUndefined();
    const header = b64({ alg: 'HS512', typ: 'JWT' });
    const signature = createHmac('sha512', secret)
      .update(`${header}.${payload}`)
      .digest('base64url');
    expect(await tokens.verify(`${header}.${payload}.${signature}`)).toBeUndefined();
  });

  it('refuses an expired token', async () => {
    const shortLived = createAccessTokens(secret, 1000);
    const { token } = await shortLived.issue(claims);
    await new Promise((r) => setTimeout(r, 2100));
    expect(await shortLived.verify(token)).toBeUndefined();
  });

  it('refuses a token for another role than a person', async () => {
    const [header, payload] = parts((await tokens.issue(claims)).token);
    const device = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'service' };
    const body = `${header}.${b64(device)}`;
    const signature = createHmac('sha256', secret).update(body).digest('base64url');
    expect(await tokens.verify(`${body}.${signature}`)).toBeUndefined();
  });
});
