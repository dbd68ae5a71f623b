import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiToken, ApiTokenUse, issueApiToken } from '../../store/apiTokens';
import { Customer, User } from '../../store/models';
import { Partner } from '../../store/partners';
import { newToken } from '../../store/tokens';
import type { SmtpSink } from '../../stand-ins/smtpSink';
import { readLatestCode, outboxMessages, startMailSink } from '../support/mail';
import { createPersonWithToken } from '../support/people';
import { call, startTestStack, type TestStack } from '../support/stack';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';

// Integration tokens against the real API: refused when expired or revoked (saying which,
// and nothing about tokens that never existed), never reaching further than their maker,
// and made or revoked only by a person signed in with an emailed code.

const day = 86_400_000;

describe('integration tokens', () => {
  let stack: TestStack;
  let sink: SmtpSink;
  let other: OtherTenant;
  let partnerId: string;
  let otherPartnerId: string;
  const signedIn: Record<string, string> = {};

  /** A portal-style sign-in through the emailed code; its access token as a bearer. */
  async function signIn(email: string): Promise<string> {
    const seen = outboxMessages(sink.outbox).filter((m) => m.includes(`To: ${email}`)).length;
    expect(
      (await call(`${stack.apiUrl}/api/auth/login`, undefined, { body: { email } })).status,
    ).toBe(202);
    const code = await readLatestCode(sink.outbox, email, seen);
    const res = await call(`${stack.apiUrl}/api/auth/login/verify`, undefined, {
      body: { email, code, session: 'bearer' },
    });
    expect(res.status).toBe(200);
    return res.body.token as string;
  }

  const tokens = (bearer: string, init: { method?: string; body?: unknown } = {}) =>
    call(`${stack.apiUrl}/api/tokens`, bearer, init);
  const revoke = (bearer: string, id: string) =>
    call(`${stack.apiUrl}/api/tokens/${id}`, bearer, { method: 'DELETE' });
  const cases = (bearer: string) => call(`${stack.apiUrl}/api/cases`, bearer);

  beforeAll(async () => {
    sink = await startMailSink(mkdtempSync(path.join(os.tmpdir(), 'zen-tokens-mail-')));
    stack = await startTestStack('api-tokens', { worker: false });
    other = await seedOtherTenant();
    partnerId = (await Partner.create({ name: 'Harbor IT' }))._id;
    otherPartnerId = (await Partner.create({ name: 'Elsewhere IT' }))._id;
    await Customer.updateOne({ _id: other.customerId }, { $set: { partnerId } });
    await User.create({ email: 'tech@harbor-it.example', role: 'partner', partnerId });
    await User.create({
      email: 'member@bayside-dental.example',
      role: 'customer',
      customerId: stack.demo.customer.id,
      customerRole: 'member',
    });
    signedIn.operator = await signIn(stack.demo.operator.email);
    signedIn.admin = await signIn(stack.demo.customer.email);
    signedIn.partner = await signIn('tech@harbor-it.example');
    signedIn.member = await signIn('member@bayside-dental.example');
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await sink?.stop();
  });

  it('an expired token is refused with its day; a revoked one says so; an unknown one learns nothing', async () => {
    const unknown = await cases(newToken('zu'));
    expect(unknown).toEqual({
      status: 401,
      body: expect.objectContaining({
        code: 'UNAUTHENTICATED',
        error: 'Unknown token, or the sign-in has ended',
      }),
    });
    // Any token that never existed gets exactly that answer, whatever its kind.
    expect(await cases(newToken('zu'))).toEqual(unknown);
    expect(await cases(newToken('zd'))).toEqual(unknown);

    const expired = await issueApiToken({
      name: 'Old integration',
      role: 'customer',
      customerId: stack.demo.customer.id,
      createdBy: 'someone',
      expiresInDays: 1,
      now: new Date(Date.UTC(2026, 2, 4)),
    });
    expect(await cases(expired.token)).toEqual({
      status: 401,
      body: expect.objectContaining({
        code: 'UNAUTHENTICATED',
        error: 'This token expired on 5 March 2026. Ask an admin for a new one.',
      }),
    });

    const made = await tokens(signedIn.admin!, {
      body: { name: 'Booking system', role: 'customer', expiresInDays: 30 },
    });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^zu_/);
    expect(new Date(made.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(29.9 * day);
    expect((await cases(made.body.token)).status).toBe(200);
    const listed = (await tokens(signedIn.admin!)).body.tokens.find(
      (t: { id: string }) => t.id === made.body.id,
    );
    expect(listed).toMatchObject({
      name: 'Booking system',
      role: 'customer',
      lastUsedAt: expect.any(String),
    });
    expect(listed).not.toHaveProperty('token');
    // Only the hash is kept.
    const stored = await ApiToken.findById(made.body.id).lean();
    expect(JSON.stringify(stored)).not.toContain(made.body.token);

    expect((await revoke(signedIn.admin!, made.body.id)).status).toBe(200);
    expect(await cases(made.body.token)).toEqual({
      status: 401,
      body: expect.objectContaining({
        code: 'UNAUTHENTICATED',
        error: 'This token was revoked. Ask an admin for a new one.',
      }),
    });
  });

  it('records a use at most once a minute, in its own document', async () => {
    const { token, doc } = await issueApiToken({
      name: 'Monitor',
      role: 'operator',
      createdBy: 'someone',
    });
    expect((await cases(token)).status).toBe(200);
    const first = (await ApiTokenUse.findById(doc._id).lean())!.lastUsedAt;
    expect((await cases(token)).status).toBe(200);
    expect((await ApiTokenUse.findById(doc._id).lean())!.lastUsedAt).toEqual(first);
  });

  it("a token never reaches further than its maker's reach", async () => {
    const make = (who: string, body: Record<string, unknown>) =>
      tokens(signedIn[who]!, { body: { name: `${who} made`, ...body } });
    const refused = { status: 403, body: expect.objectContaining({ code: 'FORBIDDEN' }) };

    // A customer's admin: its own business only.
    expect(await make('admin', { role: 'operator' })).toEqual(refused);
    expect(await make('admin', { role: 'partner' })).toEqual(refused);
    expect(await make('admin', { role: 'customer', customerId: other.customerId })).toEqual(
      refused,
    );
    const adminMade = await make('admin', { role: 'customer_admin' });
    expect(adminMade).toMatchObject({
      status: 201,
      body: { role: 'customer_admin', customerId: stack.demo.customer.id },
    });
    // A member manages no tokens.
    expect((await make('member', { role: 'customer' })).status).toBe(403);
    expect((await tokens(signedIn.member!)).status).toBe(403);

    // A partner: itself and its customers.
    expect(await make('partner', { role: 'operator' })).toEqual(refused);
    expect(await make('partner', { role: 'partner', partnerId: otherPartnerId })).toEqual(refused);
    expect(await make('partner', { role: 'customer', customerId: stack.demo.customer.id })).toEqual(
      refused,
    );
    const partnerOwn = await make('partner', { role: 'partner' });
    expect(partnerOwn).toMatchObject({ status: 201, body: { role: 'partner', partnerId } });
    const partnerForCustomer = await make('partner', {
      role: 'customer_admin',
      customerId: other.customerId,
    });
    expect(partnerForCustomer).toMatchObject({
      status: 201,
      body: { customerId: other.customerId },
    });

    // An operator: anyone.
    expect(await make('operator', { role: 'partner', partnerId: otherPartnerId })).toMatchObject({
      status: 201,
      body: { partnerId: otherPartnerId },
    });

    // What each token then reaches: the admin's its own business's cases; the partner's
    // the tokens of the partner and its customers, as its people see them.
    const adminCases = await cases(adminMade.body.token);
    expect(adminCases.status).toBe(200);
    const seen = (adminCases.body.cases as { customerId: string }[]).map((c) => c.customerId);
    expect(seen.every((c) => c === stack.demo.customer.id)).toBe(true);
    const byCustomerToken = await cases(partnerForCustomer.body.token);
    expect((byCustomerToken.body.cases as { id: string }[]).map((c) => c.id)).toEqual([
      other.caseId,
    ]);
    expect((await tokens(partnerOwn.body.token)).body).toEqual(
      (await tokens(signedIn.partner!)).body,
    );

    // Lists: each sees its own; a token out of reach is as missing as one that never was.
    const ids = async (who: string) =>
      ((await tokens(signedIn[who]!)).body.tokens as { id: string }[]).map((t) => t.id);
    expect(await ids('admin')).toContain(adminMade.body.id);
    expect(await ids('admin')).not.toContain(partnerOwn.body.id);
    expect(await ids('admin')).not.toContain(partnerForCustomer.body.id);
    expect(await ids('partner')).toEqual(
      expect.arrayContaining([partnerOwn.body.id, partnerForCustomer.body.id]),
    );
    expect(await ids('partner')).not.toContain(adminMade.body.id);
    expect(await ids('operator')).toEqual(
      expect.arrayContaining([adminMade.body.id, partnerOwn.body.id]),
    );
    const outOfReach = await revoke(signedIn.admin!, partnerForCustomer.body.id);
    const missing = await revoke(signedIn.admin!, 'no-such-token');
    expect(outOfReach).toEqual({
      status: 404,
      body: expect.objectContaining({ code: 'TOKEN_NOT_FOUND' }),
    });
    expect(outOfReach).toEqual(missing);
    expect((await cases(partnerForCustomer.body.token)).status).toBe(200);
  });

  it('a token cannot make or revoke tokens: that needs a person signed in with a code', async () => {
    const signInRequired = {
      status: 403,
      body: expect.objectContaining({
        code: 'SIGN_IN_REQUIRED',
        error: expect.stringMatching(/signed in to the portal with a code we email/),
      }),
    };
    const operatorToken = stack.demo.operator.token;
    // The token may read the list…
    expect((await tokens(operatorToken)).status).toBe(200);
    // …but not make a token, not even a smaller one, nor revoke one.
    expect(await tokens(operatorToken, { body: { name: 'Escalated', role: 'operator' } })).toEqual(
      signInRequired,
    );
    const { doc } = await issueApiToken({ name: 'Victim', role: 'operator', createdBy: 'x' });
    expect(await revoke(operatorToken, doc._id)).toEqual(signInRequired);
    expect((await ApiToken.findById(doc._id).lean())!.revokedAt).toBeUndefined();

    const admin = await createPersonWithToken({
      email: 'second-admin@bayside-dental.example',
      role: 'customer',
      customerId: stack.demo.customer.id,
      customerRole: 'admin',
    });
    expect(await tokens(admin.token, { body: { name: 'More', role: 'customer' } })).toEqual(
      signInRequired,
    );
  });
});
