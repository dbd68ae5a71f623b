import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApi, type Api } from '../../api/app';
import { waitWords } from '../../api/identity/throttle';
import { createLogger } from '../../observability/logger';
import { User } from '../../store/models';
import type { SmtpSink } from '../../stand-ins/smtpSink';
import { temporalNamespace } from '../support/env';
import { outboxMessages, readLatestCode, startMailSink } from '../support/mail';
import { startTestStack, type TestStack } from '../support/stack';

// Portal sign-in as an attacker meets it: the same answers for every address, throttles
// that slow guessing per source address and code requests per address, the real time to
// wait, and no way to lock the owner out. The API believes X-Forwarded-For from loopback
// (TRUST_PROXY=loopback, as behind the portal), so each test names its source addresses
// with that header, in the documentation ranges.

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  ms: number;
}

/** Headers that differ between any two requests, whoever asks: the clock, the request id,
 * and the per-minute budget of the source address. */
const perRequest = new Set(['date', 'x-request-id', 'ratelimit']);

const comparable = (a: Answer) => ({
  status: a.status,
  body: a.body,
  headers: Object.fromEntries(Object.entries(a.headers).filter(([k]) => !perRequest.has(k))),
});

const json = (a: Answer) => JSON.parse(a.body) as { error: string; code: string };
const retryAfter = (a: Answer) => Number(a.headers['retry-after']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('portal sign-in: same answers, throttles, no lockout', () => {
  let stack: TestStack;
  let sink: SmtpSink;
  const extraApis: Api[] = [];

  beforeAll(async () => {
    sink = await startMailSink(mkdtempSync(path.join(os.tmpdir(), 'zen-mail-')));
    stack = await startTestStack('signin', {
      worker: false,
      api: {
        logger: createLogger('api', 'silent'),
        security: {
          corsOrigins: [],
          trustProxy: 'loopback',
          // The per-minute flood guard is not what these tests are about.
          rateLimits: { signInPerMinute: 10_000, webhookPerMinute: 100, devicePerMinute: 100 },
          metricsToken: undefined,
        },
      },
    });
  });
  afterAll(async () => {
    for (const api of extraApis) await api.close().catch(() => undefined);
    await stack.stop();
    await sink.stop();
  });

  /** Another API instance on the same database, as a second process or a restart. */
  async function startInstance(): Promise<{ url: string; api: Api }> {
    const api = createApi({
      temporal: stack.client,
      namespace: temporalNamespace(),
      internalToken: stack.internalToken,
      logger: createLogger('api', 'silent'),
    });
    extraApis.push(api);
    await new Promise<void>((resolve) => api.http.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(api.http.address() as AddressInfo).port}`, api };
  }

  let users = 0;
  async function newUser(): Promise<string> {
    const email = `person${++users}-${Date.now()}@signin-test.example`;
    await User.create({ email, role: 'customer', customerId: stack.demo.customer.id });
    return email;
  }
  const unknownAddress = () => `nobody${++users}-${Date.now()}@signin-test.example`;

  async function post(url: string, body: unknown, from?: string): Promise<Answer> {
    const started = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(from ? { 'x-forwarded-for': from } : {}),
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => (headers[name] = value));
    return {
      status: res.status,
      headers,
      body: text,
      ms: performance.now() - started,
    };
  }
  const askCode = (email: string, from?: string, base = stack.apiUrl) =>
    post(`${base}/api/auth/login`, { email }, from);
  const tryCode = (email: string, code: string, from?: string, base = stack.apiUrl) =>
    post(`${base}/api/auth/login/verify`, { email, code, session: 'bearer' }, from);
  const mailsTo = (email: string) =>
    outboxMessages(sink.outbox).filter((m) => m.includes(`To: ${email}`)).length;
  const wrongFor = (code: string) => (code === '000000' ? '111111' : '000000');

  it('asking for a code: the same bytes for an unknown and a known address', async () => {
    const known = await newUser();
    const unknown = unknownAddress();
    const a = await askCode(known, '203.0.113.1');
    const b = await askCode(unknown, '203.0.113.1');
    expect(a.status).toBe(202);
    expect(comparable(b)).toEqual(comparable(a));
    await readLatestCode(sink.outbox, known);
    await sleep(300);
    expect(mailsTo(unknown)).toBe(0);
  });

  it('asking for a code takes about as long for an unknown address as for a known one', async () => {
    const knownMs: number[] = [];
    const unknownMs: number[] = [];
    for (let i = 0; i < 11; i++) {
      // A source per pair, so that no answer here is a 429.
      const known = await askCode(await newUser(), `203.0.113.${100 + i}`);
      const unknown = await askCode(unknownAddress(), `203.0.113.${100 + i}`);
      expect([known.status, unknown.status]).toEqual([202, 202]);
      knownMs.push(known.ms);
      unknownMs.push(unknown.ms);
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const [k, u] = [median(knownMs), median(unknownMs)];
    // Mailing a code takes an SMTP round trip; the answer must not wait for it. The
    // database's own jitter on a busy machine is the margin.
    expect(Math.abs(k - u)).toBeLessThan(0.35 * Math.max(k, u));
  });

  it('a wrong code, a dead code and no code: the same bytes for an unknown and a known address', async () => {
    const known = await newUser();
    const unknown = unknownAddress();
    const from = '203.0.113.3';
    // No code asked for yet.
    const noneKnown = await tryCode(known, '123456', from);
    const noneUnknown = await tryCode(unknown, '123456', from);
    expect(noneKnown.status).toBe(401);
    expect(comparable(noneUnknown)).toEqual(comparable(noneKnown));

    await askCode(known, from);
    await askCode(unknown, from);
    const code = await readLatestCode(sink.outbox, known);
    const wrongKnown = await tryCode(known, wrongFor(code), from);
    const wrongUnknown = await tryCode(unknown, wrongFor(code), from);
    expect(wrongKnown.status).toBe(401);
    expect(comparable(wrongUnknown)).toEqual(comparable(wrongKnown));
    // Nothing in it says how many tries are left, or whether the address has an account.
    expect(json(wrongKnown).error).not.toMatch(/\d/);
    expect(json(wrongKnown).error).not.toMatch(/account|tries|locked/i);
  });

  it('after five wrong guesses the code dies, but the owner gets a fresh one and signs in', async () => {
    const owner = await newUser();
    const [ownerAt, attackerAt] = ['203.0.113.4', '198.51.100.4'];
    const seen = mailsTo(owner);
    expect((await askCode(owner, ownerAt)).status).toBe(202);
    const first = await readLatestCode(sink.outbox, owner, seen);

    const guesses: Answer[] = [];
    for (let i = 0; i < 5; i++) guesses.push(await tryCode(owner, wrongFor(first), attackerAt));
    expect(guesses.map((g) => g.status)).toEqual([401, 401, 401, 401, 401]);
    // The attacker's sixth guess from the same address must wait.
    const throttled = await tryCode(owner, wrongFor(first), attackerAt);
    expect(throttled.status).toBe(429);
    expect(retryAfter(throttled)).toBeGreaterThan(0);

    // The guessed-at code no longer works, even when right: guessing cannot succeed.
    const dead = await tryCode(owner, first, ownerAt);
    expect(dead.status).toBe(401);
    expect(dead.body).toBe(guesses[0]!.body);

    // The owner asks for a fresh code and signs in with it, while the attacker waits.
    const again = mailsTo(owner);
    expect((await askCode(owner, ownerAt)).status).toBe(202);
    const fresh = await readLatestCode(sink.outbox, owner, again);
    expect((await tryCode(owner, wrongFor(fresh), attackerAt)).status).toBe(429);
    const signedIn = await tryCode(owner, fresh, ownerAt);
    expect(signedIn.status).toBe(200);
    expect(JSON.parse(signedIn.body)).toMatchObject({ role: 'customer' });
  });

  it('the attacker waits longer and longer, and each message gives the real time left', async () => {
    const owner = await newUser();
    const attackerAt = '198.51.100.5';
    const waits: number[] = [];
    for (let round = 0; round < 12 && waits.length < 3; round++) {
      const res = await tryCode(owner, '000000', attackerAt);
      if (res.status === 429) {
        const seconds = retryAfter(res);
        expect(json(res)).toMatchObject({ code: 'SLOW_DOWN' });
        expect(json(res).error).toContain(
          `Please wait ${seconds} ${seconds === 1 ? 'second' : 'seconds'}`,
        );
        waits.push(seconds);
        await sleep(seconds * 1000 + 50);
      } else {
        expect(res.status).toBe(401);
      }
    }
    expect(waits).toHaveLength(3);
    const [w1, w2, w3] = waits as [number, number, number];
    expect(w2).toBeGreaterThan(w1);
    expect(w3).toBeGreaterThan(w2);

    // The next wait counts down with the clock: asked again 1.5 s later, it is shorter.
    expect((await tryCode(owner, '000000', attackerAt)).status).toBe(401);
    const before = await tryCode(owner, '000000', attackerAt);
    await sleep(1500);
    const after = await tryCode(owner, '000000', attackerAt);
    expect([before.status, after.status]).toEqual([429, 429]);
    expect(retryAfter(after)).toBeLessThanOrEqual(retryAfter(before) - 1);
    expect(retryAfter(after)).toBeGreaterThanOrEqual(retryAfter(before) - 2);
  }, 90_000);

  it('codes for one address are throttled alike for known and unknown addresses, with the real wait', async () => {
    const known = await newUser();
    const unknown = unknownAddress();
    const forKnown: Answer[] = [];
    const forUnknown: Answer[] = [];
    for (let i = 0; i < 4; i++) {
      // A different source each time: the limit is the address's, not the source's.
      forKnown.push(await askCode(known, `203.0.113.${60 + i}`));
      forUnknown.push(await askCode(unknown, `203.0.113.${70 + i}`));
    }
    expect(forKnown.map((a) => a.status)).toEqual([202, 202, 202, 429]);
    expect(forUnknown.map((a) => a.status)).toEqual([202, 202, 202, 429]);
    const [k, u] = [forKnown[3]!, forUnknown[3]!];
    // The same answer but for the clock: the seconds may differ by one between the two.
    const clockless = (a: Answer) => comparable(a).body.replace(/\d+/g, 'N');
    expect(clockless(u)).toBe(clockless(k));
    expect(Math.abs(retryAfter(k) - retryAfter(u))).toBeLessThanOrEqual(1);
    const seconds = retryAfter(k);
    expect(seconds).toBeGreaterThan(10);
    expect(json(k).error).toContain(`Please wait ${seconds} seconds`);

    await sleep(2000);
    const later = await askCode(known, '203.0.113.80');
    expect(later.status).toBe(429);
    expect(retryAfter(later)).toBeGreaterThanOrEqual(seconds - 3);
    expect(retryAfter(later)).toBeLessThanOrEqual(seconds - 1);
    expect(json(later).error).toContain(`Please wait ${retryAfter(later)} seconds`);
  });

  it('two API instances share the throttle, and a restart neither resets it nor locks the owner', async () => {
    const owner = await newUser();
    const [ownerAt, attackerAt] = ['203.0.113.9', '198.51.100.9'];
    const one = await startInstance();
    const two = await startInstance();
    // Guesses spread over both instances count together.
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await tryCode(owner, '000000', attackerAt, i % 2 ? two.url : one.url)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);

    // A burst of guesses at once, across both: never more than the free five get through.
    const burstFrom = '198.51.100.19';
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        tryCode(owner, '000000', burstFrom, [one, two][i % 2]!.url),
      ),
    );
    const through = burst.filter((a) => a.status === 401).length;
    expect(burst.every((a) => a.status === 401 || a.status === 429)).toBe(true);
    expect(through).toBeGreaterThanOrEqual(1);
    expect(through).toBeLessThanOrEqual(5);

    // Both stop, as in a restart; a new instance comes up on the same database.
    await one.api.close();
    await two.api.close();
    const three = await startInstance();
    const still = await tryCode(owner, '000000', attackerAt, three.url);
    expect(still.status).toBe(429);
    expect(retryAfter(still)).toBeGreaterThan(0);

    // The owner, from their own address, gets a code and signs in at once.
    const seen = mailsTo(owner);
    expect((await askCode(owner, ownerAt, three.url)).status).toBe(202);
    const code = await readLatestCode(sink.outbox, owner, seen);
    expect((await tryCode(owner, code, ownerAt, three.url)).status).toBe(200);
  });
});

describe('the wait in words', () => {
  it('says the real time with the right plurals', () => {
    expect(waitWords(1)).toBe('1 second');
    expect(waitWords(40)).toBe('40 seconds');
    expect(waitWords(60)).toBe('1 minute');
    expect(waitWords(61)).toBe('1 minute 1 second');
    expect(waitWords(125)).toBe('2 minutes 5 seconds');
  });
});
