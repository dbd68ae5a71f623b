import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { routes } from '../../api/openapi';
import { DevicesResponse } from '../../contracts/api';
import type { SmtpSink } from '../../stand-ins/smtpSink';
import { Session } from '../../store/models';
import { hashToken } from '../../store/tokens';
import { connectDevice, openDemoCase, waitForStatus } from '../support/cases';
import { outboxMessages, readLatestCode, startMailSink } from '../support/mail';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';

// What the portal needs from the API: the session cookie (sign-in, refresh, sign-out),
// the live socket authenticated by it, the dashboard's devices and the case filters,
// each scoped to the customer.

describe('portal API', () => {
  let stack: TestStack;
  let sink: SmtpSink;
  let other: OtherTenant;

  beforeAll(async () => {
    sink = await startMailSink(mkdtempSync(path.join(os.tmpdir(), 'zen-portal-mail-')));
    // An unreachable box's case guides the customer after a second and a half, not two minutes.
    stack = await startTestStack('portalapi', { caseSettings: { reconnectGraceMs: 1500 } });
    other = await seedOtherTenant();
  });
  afterAll(async () => {
    await stack.stop();
    await sink.stop();
  });

  /** The Cookie header a browser would send back for these Set-Cookie headers. */
  const cookieHeader = (setCookies: string[]) => setCookies.map((c) => c.split(';')[0]).join('; ');
  const cookieValue = (cookie: string, name: string) =>
    cookie
      .split('; ')
      .find((c) => c.startsWith(`${name}=`))!
      .slice(name.length + 1);

  /** Signs in by email code and returns the Set-Cookie headers and the Cookie header. */
  async function signIn(email: string) {
    const seen = outboxMessages(sink.outbox).filter((m) => m.includes(`To: ${email}`)).length;
    await call(`${stack.apiUrl}/api/auth/login`, undefined, { body: { email } });
    const code = await readLatestCode(sink.outbox, email, seen);
    const res = await fetch(`${stack.apiUrl}/api/auth/login/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, code }),
    });
    const setCookies = res.headers.getSetCookie();
    return { res, body: await res.json(), setCookies, cookie: cookieHeader(setCookies) };
  }

  const withCookie = (cookie: string, url: string, init: RequestInit = {}) =>
    fetch(`${stack.apiUrl}${url}`, { ...init, headers: { ...init.headers, cookie } });

  it('sign-in sets httpOnly SameSite=Lax cookies: a 15-minute access token and a refresh token for /api/auth only', async () => {
    const { res, body, setCookies, cookie } = await signIn(stack.demo.customer.email);
    expect(res.status).toBe(200);
    expect(body).toEqual({
      role: 'customer',
      customerId: stack.demo.customer.id,
      accessExpiresAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    const [access, refresh] = setCookies;
    expect(access).toMatch(/^zen_session=[\w-]+\.[\w-]+\.[\w-]+; Path=\/;/);
    expect(refresh).toMatch(/^zen_refresh=zs_[\w-]+; Path=\/api\/auth;/);
    for (const c of setCookies) {
      expect(c).toMatch(/HttpOnly/i);
      expect(c).toMatch(/SameSite=Lax/i);
      // Plain http here: not Secure (the API marks it Secure behind an https portal).
      expect(c).not.toMatch(/Secure/i);
    }
    // The access token lives 15 minutes at most.
    const claims = JSON.parse(
      Buffer.from(cookieValue(cookie, 'zen_session').split('.')[1]!, 'base64url').toString(),
    );
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(15 * 60);
    expect(new Date(body.accessExpiresAt).getTime()).toBeLessThanOrEqual(Date.now() + 15 * 60_000);

    const session = await withCookie(cookie, '/api/auth/session');
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({
      role: 'customer',
      email: stack.demo.customer.email,
      businessName: 'Bayside Dental',
    });
    expect((await withCookie(cookie, '/api/cases')).status).toBe(200);
    expect((await fetch(`${stack.apiUrl}/api/cases`)).status).toBe(401);
    // The refresh token is no access token.
    const refreshOnly = `zen_session=${cookieValue(cookie, 'zen_refresh')}`;
    expect((await withCookie(refreshOnly, '/api/cases')).status).toBe(401);
  });

  it('refresh rotates both tokens; sign-out ends the sign-in at once and clears the cookies', async () => {
    const { cookie } = await signIn(stack.demo.customer.email);
    const refreshed = await withCookie(cookie, '/api/auth/refresh', { method: 'POST' });
    expect(refreshed.status).toBe(200);
    const next = cookieHeader(refreshed.headers.getSetCookie());
    expect(cookieValue(next, 'zen_session')).not.toBe(cookieValue(cookie, 'zen_session'));
    expect(cookieValue(next, 'zen_refresh')).not.toBe(cookieValue(cookie, 'zen_refresh'));
    // The old refresh token lives on only for a short grace period (parallel tabs), then dies.
    const old = await Session.findById(hashToken(cookieValue(cookie, 'zen_refresh'))).lean();
    expect(old!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 30_000);
    expect((await withCookie(next, '/api/cases')).status).toBe(200);

    const out = await withCookie(next, '/api/auth/logout', { method: 'POST' });
    expect(out.status).toBe(204);
    const cleared = out.headers.getSetCookie();
    expect(cleared).toEqual([
      expect.stringMatching(/^zen_session=;.*Expires=Thu, 01 Jan 1970/),
      expect.stringMatching(/^zen_refresh=;.*Path=\/api\/auth;.*Expires=Thu, 01 Jan 1970/),
    ]);
    // The access token has minutes left, but its sign-in is over.
    expect((await withCookie(next, '/api/cases')).status).toBe(401);
    // Nothing to refresh once signed out.
    const again = await withCookie(next, '/api/auth/refresh', { method: 'POST' });
    expect(again.status).toBe(401);
  });

  it('the live socket accepts the session cookie and refuses without one', async () => {
    const { cookie } = await signIn(stack.demo.customer.email);
    const connect = (extraHeaders: Record<string, string>) =>
      new Promise<Socket>((resolve, reject) => {
        const socket = connectSocket(`${stack.apiUrl}/portal`, {
          transports: ['websocket'],
          extraHeaders,
          reconnection: false,
        });
        socket.on('connect', () => resolve(socket));
        socket.on('connect_error', (err) => {
          socket.close();
          reject(err);
        });
      });
    await expect(connect({})).rejects.toThrow('unauthorized');
    const socket = await connect({ cookie });
    const agent = connectDevice(stack, 'dns-failure');
    try {
      const updates: { caseId: string; status: string }[] = [];
      socket.on('case:update', (event) => updates.push(event));
      const { caseId, handle } = await openDemoCase(stack, 'Websites do not load');
      await waitForStatus(handle, 'awaiting_approval');
      await eventually(async () => updates.some((u) => u.status === 'awaiting_approval'), {
        what: 'a live awaiting_approval update',
      });
      expect(updates.every((u) => u.caseId === caseId)).toBe(true);
      await handle.signal('closeCase', {
        actor: { id: 'test', role: 'operator' },
        reason: 'test done',
      });
      // The workflow, not only its status: a case still recording its close would be
      // joined by the next test's.
      expect((await handle.result()).status).toBe('cancelled');
    } finally {
      socket.close();
      agent.stop();
    }
  });

  it('GET /api/cases/:id: the manual step while the Zen box cannot reach us, gone once it is back', async () => {
    const { caseId, handle } = await openDemoCase(stack);
    const read = async () =>
      (await call(`${stack.apiUrl}/api/cases/${caseId}`, stack.demo.customer.token)).body;
    const guided = await eventually(
      async () => {
        const body = await read();
        // The first step (said at once) is what to check now; the guess at the cause follows.
        return body.live?.manualStep?.title?.startsWith('Restart') ? body : undefined;
      },
      { what: 'the manual step in the case' },
    );
    expect(guided.live.deviceOnline).toBe(false);
    expect(guided.live.step).toBe(
      'The Zen box cannot reach us. Restart your modem, then your router',
    );
    expect(guided.live.manualStep).toEqual({
      title: 'Restart your modem, then your router',
      steps: expect.arrayContaining(['Wait ten seconds, then plug it back in.']),
      because: expect.stringMatching(/modem or the router is the usual cause/),
      category: 'unknown',
    });
    const agent = connectDevice(stack, 'healthy');
    try {
      await handle.result();
      const done = await read();
      expect(done.status).toBe('resolved');
      expect(done.live.manualStep).toBeUndefined();
    } finally {
      agent.stop();
    }
  });

  it('GET /api/devices: a customer sees their own devices with site and health, operators all', async () => {
    const mine = await call(`${stack.apiUrl}/api/devices`, stack.demo.customer.token);
    expect(mine.status).toBe(200);
    expect(mine.body.devices.map((d: any) => d.deviceId)).toEqual([stack.demo.device.deviceId]);
    expect(mine.body.devices[0]).toMatchObject({
      customerId: stack.demo.customer.id,
      site: { id: stack.demo.siteId, name: 'Main office' },
    });
    // Asking for another customer's devices does not widen the scope.
    const sneaky = await call(
      `${stack.apiUrl}/api/devices?customerId=${other.customerId}`,
      stack.demo.customer.token,
    );
    expect(sneaky.body.devices).toEqual([]);

    const all = await call(`${stack.apiUrl}/api/devices`, stack.demo.operator.token);
    expect(all.body.devices.map((d: any) => d.deviceId).sort()).toEqual(
      [stack.demo.device.deviceId, other.deviceId].sort(),
    );
    const filtered = await call(
      `${stack.apiUrl}/api/devices?customerId=${other.customerId}`,
      stack.demo.operator.token,
    );
    expect(filtered.body.devices).toEqual([
      expect.objectContaining({ deviceId: other.deviceId, businessName: 'Harbor Bakery' }),
    ]);
    const bad = await call(`${stack.apiUrl}/api/devices?everything=1`, stack.demo.operator.token);
    expect(bad.status).toBe(400);
  });

  it('GET /api/devices: the path a box reports, since when, and its LTE data, to its owner and operators only', async () => {
    const box = connectSocket(`${stack.apiUrl}/device`, {
      auth: { token: other.deviceToken },
      transports: ['websocket'],
    });
    const month = new Date().toISOString().slice(0, 7);
    const lteData = { month, bytes: 12_300_000, budgetBytes: 500_000_000, exhausted: false };
    try {
      const ack = await box
        .timeout(10_000)
        .emitWithAck('heartbeat', { led: 'idle_lte', cloudPath: 'lte', lteData });
      expect(ack).toEqual({ ok: true });
      const expected = {
        deviceId: other.deviceId,
        status: 'online',
        health: { led: 'idle_lte' },
        cloudLink: { path: 'lte', since: expect.any(String), lteData },
      };

      const owner = await call(`${stack.apiUrl}/api/devices`, other.token);
      expect(owner.body.devices).toEqual([expect.objectContaining(expected)]);
      const view = owner.body.devices[0];
      expect(Date.parse(view.cloudLink.since)).toBeGreaterThan(Date.now() - 60_000);
      // The path lives in cloudLink only; what is served is what the OpenAPI document says.
      expect(view.health).not.toHaveProperty('cloudPath');
      expect(DevicesResponse.parse(owner.body)).toEqual(owner.body);
      expect(routes.find((r) => r.path === '/api/devices' && r.method === 'GET')?.response).toBe(
        DevicesResponse,
      );

      const operator = await call(`${stack.apiUrl}/api/devices`, stack.demo.operator.token);
      expect(operator.body.devices).toContainEqual(expect.objectContaining(expected));
      expect(DevicesResponse.parse(operator.body)).toEqual(operator.body);

      const stranger = await call(`${stack.apiUrl}/api/devices`, stack.demo.customer.token);
      expect(stranger.body.devices.map((d: any) => d.deviceId)).not.toContain(other.deviceId);
      expect(JSON.stringify(stranger.body)).not.toContain('12300000');
    } finally {
      box.close();
    }
  });

  it('GET /api/cases filters by status, category and customer, inside the tenant scope', async () => {
    const { operator, customer } = stack.demo;
    const escalated = await call(`${stack.apiUrl}/api/cases?status=escalated`, operator.token);
    expect(escalated.status).toBe(200);
    expect(escalated.body.cases.map((c: any) => c.id)).toEqual([other.caseId]);
    expect(escalated.body.cases[0]).toMatchObject({ businessName: 'Harbor Bakery' });

    const byCategory = await call(`${stack.apiUrl}/api/cases?category=isp`, operator.token);
    expect(byCategory.body.cases.map((c: any) => c.id)).toEqual([other.caseId]);
    const byCustomer = await call(
      `${stack.apiUrl}/api/cases?customerId=${customer.id}&status=open,cancelled`,
      operator.token,
    );
    expect(byCustomer.body.cases.length).toBeGreaterThan(0);
    expect(byCustomer.body.cases.every((c: any) => c.customerId === customer.id)).toBe(true);

    // A customer never sees another tenant's case, whatever they ask for.
    const sneaky = await call(
      `${stack.apiUrl}/api/cases?customerId=${other.customerId}`,
      customer.token,
    );
    expect(sneaky.body.cases).toEqual([]);
    expect((await call(`${stack.apiUrl}/api/cases/${other.caseId}`, customer.token)).status).toBe(
      404,
    );
    expect(
      (await call(`${stack.apiUrl}/api/cases/${other.caseId}/audit`, customer.token)).status,
    ).toBe(404);
    expect((await call(`${stack.apiUrl}/api/cases/${other.caseId}`, other.token)).status).toBe(200);

    // The operator's customer filter lists every customer; customers cannot list them.
    const names = await call(`${stack.apiUrl}/api/customers`, operator.token);
    expect(names.body.customers.map((c: any) => c.businessName)).toEqual([
      'Bayside Dental',
      'Harbor Bakery',
    ]);
    expect((await call(`${stack.apiUrl}/api/customers`, customer.token)).status).toBe(403);

    const bad = await call(`${stack.apiUrl}/api/cases?status=sleeping`, operator.token);
    expect(bad).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST' } });
  });
});
