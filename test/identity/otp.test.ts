import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OneTimeCode, Session } from '../../store/models';
import type { SmtpSink } from '../../stand-ins/smtpSink';
import { outboxMessages, readLatestCode, startMailSink } from '../support/mail';
import { call, startTestStack, type TestStack } from '../support/stack';

// One-time codes over real SMTP (the local sink), portal sign-in, and caller checks.

describe('email one-time codes', () => {
  let stack: TestStack;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startMailSink(mkdtempSync(path.join(os.tmpdir(), 'zen-mail-')));
    stack = await startTestStack('otp', { worker: false });
  });
  afterAll(async () => {
    await stack.stop();
    await sink.stop();
  });

  const login = (email: string) =>
    call(`${stack.apiUrl}/api/auth/login`, undefined, { body: { email } });
  /** `from`: the source address, through the trusted proxy's header (wrong guesses count per source). */
  async function verify(email: string, code: string, from = '127.0.0.1') {
    const res = await fetch(`${stack.apiUrl}/api/auth/login/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
      body: JSON.stringify({ email, code, session: 'bearer' }),
    });
    return { status: res.status, body: await res.json() };
  }
  // Every failure gets this one answer, whatever the reason and whoever the address.
  const refused = {
    status: 401,
    body: {
      error:
        'That code did not work. Check it against the newest email from us, or ask for a new code.',
      code: 'CODE_WRONG',
    },
  };

  it('signs in with the emailed code; the session works until sign-out', async () => {
    const email = stack.demo.customer.email;
    expect(await login(email)).toEqual({ status: 202, body: { otpSent: true } });
    const code = await readLatestCode(sink.outbox, email);
    // Stored hashed: the code itself is nowhere in the database.
    const stored = JSON.stringify(await OneTimeCode.find({}).lean());
    expect(stored).not.toContain(code);

    const res = await verify(email, code);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'customer', customerId: stack.demo.customer.id });
    const token = res.body.token as string;
    expect((await call(`${stack.apiUrl}/api/cases`, token)).status).toBe(200);

    // A code works once.
    expect(await verify(email, code)).toEqual(refused);

    expect((await call(`${stack.apiUrl}/api/auth/logout`, token, { body: {} })).status).toBe(204);
    expect((await call(`${stack.apiUrl}/api/cases`, token)).status).toBe(401);
  });

  it('an expired session is refused and removed', async () => {
    const email = stack.demo.customer.email;
    const seen = outboxMessages(sink.outbox).filter((m) => m.includes(`To: ${email}`)).length;
    await login(email);
    const { token } = (await verify(email, await readLatestCode(sink.outbox, email, seen))).body;
    await Session.updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await call(`${stack.apiUrl}/api/cases`, token)).status).toBe(401);
    expect(await Session.countDocuments({})).toBe(0);
  });

  it('says the same for unknown addresses and sends them nothing', async () => {
    const before = outboxMessages(sink.outbox).length;
    expect(await login('nobody@nowhere.example')).toEqual({ status: 202, body: { otpSent: true } });
    await new Promise((r) => setTimeout(r, 300));
    expect(outboxMessages(sink.outbox)).toHaveLength(before);
  });

  it('a wrong code is refused without a count; the fifth kills the code, not the account', async () => {
    const email = stack.demo.operator.email;
    const seen = outboxMessages(sink.outbox).filter((m) => m.includes(`To: ${email}`)).length;
    await login(email);
    const code = await readLatestCode(sink.outbox, email, seen);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect(await verify(email, wrong, '203.0.113.4')).toEqual(refused);
    // The code is dead (guessing cannot succeed), and nobody is locked out of a fresh one.
    expect(await OneTimeCode.countDocuments({ codeHash: null })).toBe(1);
    expect(await login(email)).toEqual({ status: 202, body: { otpSent: true } });
    expect(await OneTimeCode.countDocuments({ codeHash: null })).toBe(0);
  });

  it('an expired code is refused', async () => {
    const email = stack.demo.customer.email;
    const seen = outboxMessages(sink.outbox).filter((m) => m.includes(`To: ${email}`)).length;
    await login(email);
    const code = await readLatestCode(sink.outbox, email, seen);
    await OneTimeCode.updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await verify(email, code, '203.0.113.5')).toEqual(refused);
  });

  it('POST /api/auth/verify-caller: a matching caller gets a code, a mismatch gets 401', async () => {
    const { apiUrl, internalToken, demo } = stack;
    const phone = demo.customer.phone;
    const ok = await call(`${apiUrl}/api/auth/verify-caller`, internalToken, {
      body: { phoneNumber: phone, callerId: phone },
    });
    expect(ok).toEqual({
      status: 200,
      body: { otpSent: true, sessionId: expect.stringMatching(/^auth_/) },
    });
    await readLatestCode(sink.outbox, 'owner@bayside-dental.example');

    const mismatch = await call(`${apiUrl}/api/auth/verify-caller`, internalToken, {
      body: { phoneNumber: phone, callerId: '+15559990000' },
    });
    expect(mismatch).toEqual({
      status: 401,
      body: { error: 'Caller ID mismatch', code: 'CALLER_ID_INVALID' },
    });
    const bad = await call(`${apiUrl}/api/auth/verify-caller`, internalToken, {
      body: { phoneNumber: 'call me', callerId: phone },
    });
    expect(bad.status).toBe(400);
    // Customers cannot trigger it for anyone.
    const asCustomer = await call(`${apiUrl}/api/auth/verify-caller`, demo.customer.token, {
      body: { phoneNumber: phone, callerId: phone },
    });
    expect(asCustomer.status).toBe(403);
  });
});
