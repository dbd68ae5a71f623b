import { mkdtempSync } from 'node:fs';
import { io as connectSocket, type Socket } from 'socket.io-client';
import os from 'node:os';
import path from 'node:path';
import { routes, type RouteSpec } from '../../api/openapi';
import type { SmtpSink } from '../../stand-ins/smtpSink';
import { ApiToken } from '../../store/apiTokens';
import { Case, User } from '../../store/models';
import {
  approve,
  connectDevice,
  openDemoCase,
  saveHistory,
  stateOf,
  waitForStatus,
} from '../support/cases';
import { startMailSink } from '../support/mail';
import { signIn } from '../support/signIn';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';
import { seedPartners, type PartnerWorld } from '../support/tenants';

// Partners (MSPs) and a customer's members, driven from the OpenAPI route list so a new
// route is covered as soon as it is documented: a partner never reaches another partner's
// customer (the answer a missing thing gets), a member is refused every admin's route, and a
// partner's person works its own customer's case end to end, in the real workflow.

/** The ids of one tenant, as the routes take them. */
interface Ids {
  customerId: string;
  caseId: string;
  deviceId: string;
  siteId: string;
  personId: string;
  partnerId: string;
  /** One of the tenant's integration tokens. */
  tokenId: string;
}

const month = new Date().toISOString().slice(0, 7);

/** The route's path aimed at `ids`; a parameter nobody taught this test fails it loudly. */
function pathFor(route: RouteSpec, ids: Ids): string {
  return route.path.replace(/:(\w+)/g, (_, name: string) => {
    if (name === 'id') {
      if (route.path.startsWith('/api/cases/')) return ids.caseId;
      if (route.path.startsWith('/api/customers/')) return ids.customerId;
      if (route.path.startsWith('/api/partners/')) return ids.partnerId;
      if (route.path.startsWith('/api/tokens/')) return ids.tokenId;
    }
    const target: Record<string, string> = {
      customerId: ids.customerId,
      deviceId: ids.deviceId,
      siteId: ids.siteId,
      personId: ids.personId,
      userId: ids.personId,
      partnerId: ids.partnerId,
      month,
    };
    const value = target[name];
    if (value === undefined) throw new Error(`${route.path}: teach this test what :${name} is`);
    return encodeURIComponent(value);
  });
}

/**
 * Valid bodies that name the tenant's ids (or that get past the route's own validation to
 * its scope check); a route not listed is sent {}.
 */
const bodies: Record<string, (ids: Ids) => unknown> = {
  'POST /api/cases': (ids) => ({ deviceId: ids.deviceId, description: 'down' }),
  'POST /api/remediation/approve': (ids) => ({
    sessionId: ids.caseId,
    actionId: 'any',
    approved: true,
  }),
  'POST /api/devices/enrollment-codes': (ids) => ({ siteId: ids.siteId }),
  'POST /api/device/register': (ids) => ({
    deviceId: 'pi-new-box',
    serialNumber: 'SN-new',
    siteId: ids.siteId,
  }),
  'POST /api/cases/:id/notes': () => ({ text: 'a note', visibility: 'internal' }),
  'POST /api/cases/:id/checks': () => ({ checks: ['dns'] }),
  'POST /api/cases/:id/proposals': () => ({
    action: 'power_cycle_router',
    params: { offSeconds: 10 },
    reason: 'to try',
  }),
  'POST /api/cases/:id/resolve': () => ({ code: 'fixed_remotely', summary: 'done' }),
  'POST /api/cases/:id/close-unfixable': () => ({ reason: 'onsite_visit', summary: 'visit' }),
  'POST /api/cases/:id/close': () => ({ reason: 'done' }),
  'POST /api/cases/:id/still-broken': () => ({ words: 'still down' }),
  'POST /api/customers/:id/people': () => ({ email: 'someone@partners-test.example' }),
  'PATCH /api/customers/:id/people/:userId': () => ({ role: 'member' }),
  'POST /api/customers/:id/sites': () => ({ name: 'Back room' }),
};

const keyOf = (route: RouteSpec) => `${route.method} ${route.path}`;
const rolesOf = (route: RouteSpec) => ('roles' in route.access ? route.access.roles : []);
/** Whether the route is aimed at something: an id in its path or in its body. */
const takesAnId = (route: RouteSpec, ids: Ids) =>
  route.path.includes(':') ||
  Object.values(ids).some((id) => JSON.stringify(bodies[keyOf(route)]?.(ids) ?? {}).includes(id));

describe('partners and members', () => {
  let stack: TestStack;
  let world: PartnerWorld;
  let ours: Ids;
  let theirs: Ids;
  let mail: SmtpSink;
  let outbox: string;
  /** The partner's person, signed in with an emailed code. */
  let oursSignedIn: string;
  /** Calls the route aimed at `ids`; answers that are not JSON (a report's HTML) as text. */
  const send = async (route: RouteSpec, token: string, ids: Ids) => {
    const body = route.method === 'GET' ? undefined : (bodies[keyOf(route)]?.(ids) ?? {});
    const res = await fetch(`${stack.apiUrl}${pathFor(route, ids)}`, {
      method: route.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined;
    return { status: res.status, body: json, text };
  };

  /** A portal live view by token, collecting the case updates it hears. */
  const liveView = (token: string) =>
    new Promise<{ socket: Socket; updates: { caseId: string; status: string }[] }>(
      (resolve, reject) => {
        const socket = connectSocket(`${stack.apiUrl}/portal`, {
          transports: ['websocket'],
          auth: { token },
          reconnection: false,
        });
        const updates: { caseId: string; status: string }[] = [];
        socket.on('case:update', (event) => updates.push(event));
        socket.on('connect', () => resolve({ socket, updates }));
        socket.on('connect_error', reject);
      },
    );

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-partners-mail-'));
    mail = await startMailSink(dir);
    outbox = path.join(dir, 'outbox');
    stack = await startTestStack('partners', {
      caseSettings: { technicianWaitMs: 600_000, approvalTimeoutMs: 60_000 },
    });
    world = await seedPartners(stack.demo.customer.id);
    // Some routes need a person signed in with an emailed code (never an API token): the
    // partner's person signs in as in the portal.
    oursSignedIn = await signIn(stack.apiUrl, outbox, world.ours.email);
    const otherPerson = await User.findOne({ email: world.other.email }).lean();
    const tokenOf = async (userId: string) =>
      (await ApiToken.findOne({ createdBy: userId }).lean())!._id;
    theirs = {
      customerId: world.other.customerId,
      caseId: world.other.caseId,
      deviceId: world.other.deviceId,
      siteId: world.other.siteId,
      personId: otherPerson!._id,
      partnerId: world.theirs.partnerId,
      tokenId: await tokenOf(world.theirs.userId),
    };
    // A closed case of our own customer, so every case route has something of ours to read.
    const ourCase = `case-ours-${stack.demo.customer.id}`;
    await Case.create({
      _id: ourCase,
      workflowId: `support-case-ours-${stack.demo.customer.id}`,
      customerId: stack.demo.customer.id,
      deviceId: stack.demo.device.deviceId,
      channel: 'portal',
      status: 'escalated',
      issueCategory: 'isp',
    });
    ours = {
      customerId: stack.demo.customer.id,
      caseId: ourCase,
      deviceId: stack.demo.device.deviceId,
      siteId: stack.demo.siteId,
      personId: world.member.userId,
      partnerId: world.ours.partnerId,
      tokenId: await tokenOf(world.ours.userId),
    };
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await mail?.stop();
  });

  const partnerRoutes = routes.filter((r) => rolesOf(r).includes('partner'));

  it('admits partners to the routes that serve their customers, and only those', () => {
    const admitted = new Set(partnerRoutes.map(keyOf));
    for (const key of [
      'GET /api/cases/:id',
      'POST /api/remediation/approve',
      'POST /api/cases/:id/take-over',
      'POST /api/cases/:id/notes',
      'POST /api/devices/:deviceId/revoke',
      'GET /api/customers/:customerId/notifications',
    ]) {
      expect(admitted).toContain(key);
    }
    for (const key of [
      'GET /api/kpi',
      'GET /api/health/components',
      'PUT /api/customers/:id/sla',
    ]) {
      expect(admitted).not.toContain(key);
    }
  });

  it("never lets a partner reach another partner's customer: every route answers as for a missing one", async () => {
    const failures: string[] = [];
    for (const route of partnerRoutes) {
      const res = await send(route, oursSignedIn, theirs);
      const what = `${keyOf(route)} → ${res.status} ${res.text.slice(0, 160)}`;
      const text = res.text;
      if (takesAnId(route, theirs)) {
        // The same answer as a missing thing: 404 with a not-found code.
        if (res.status !== 404 || !/NOT_FOUND$/.test(res.body?.code ?? '')) {
          failures.push(`reached theirs: ${what}`);
        }
      } else if (res.status >= 200 && res.status < 300) {
        for (const id of [theirs.customerId, theirs.caseId, theirs.deviceId, theirs.siteId]) {
          if (text.includes(id)) failures.push(`showed ${id}: ${what}`);
        }
      }
      // The same read of its own customer works: the 404 above is the scope, not the input.
      if (route.method === 'GET' && takesAnId(route, ours)) {
        const own = await send(route, oursSignedIn, ours);
        if (own.status === 404 || own.status >= 500)
          failures.push(`own refused: ${keyOf(route)} → ${own.status}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it("holds only the partner's own customers in its lists, whatever it asks for", async () => {
    const api = stack.apiUrl;
    for (const [partner, own] of [
      [world.ours, ours],
      [world.theirs, theirs],
    ] as const) {
      const cases = await call(`${api}/api/cases`, partner.token);
      const devices = await call(`${api}/api/devices`, partner.token);
      expect(cases.status).toBe(200);
      expect(devices.status).toBe(200);
      expect(cases.body.cases.map((c: { id: string }) => c.id)).toContain(own.caseId);
      expect(devices.body.devices.map((d: { deviceId: string }) => d.deviceId)).toContain(
        own.deviceId,
      );
      for (const row of [...cases.body.cases, ...devices.body.devices]) {
        expect(partner.customerIds).toContain(row.customerId);
      }
    }
    for (const path of ['cases', 'devices']) {
      const asked = await call(
        `${api}/api/${path}?customerId=${theirs.customerId}`,
        world.ours.token,
      );
      expect(asked.body[path]).toEqual([]);
    }
  });

  it("refuses a member every customer admin's route with 403 and says who may", async () => {
    const adminOnly = routes.filter(
      (r) => rolesOf(r).includes('customer_admin') && !rolesOf(r).includes('customer'),
    );
    expect(adminOnly.map(keyOf)).toEqual(
      expect.arrayContaining([
        'PATCH /api/customers/me',
        'PUT /api/customers/me/notifications',
        'POST /api/devices/enrollment-codes',
        'POST /api/devices/:deviceId/revoke',
        'POST /api/devices/:deviceId/token/rotate',
      ]),
    );
    // Nothing real is touched: the boxes named are ones that do not exist.
    const missing = { ...ours, deviceId: 'pi-no-such-box', siteId: 'no-such-site' };
    for (const route of adminOnly) {
      const asMember = await send(route, world.member.token, missing);
      expect({ route: keyOf(route), status: asMember.status }).toEqual({
        route: keyOf(route),
        status: 403,
      });
      expect(asMember.body.error).toMatch(/customer's admin/);
      // The admin of the same customer gets past the role check.
      // (An API token is refused the routes that need a person signed in: past the role check too.)
      const asAdmin = await send(route, stack.demo.customer.token, missing);
      const refused = asAdmin.status === 403 && asAdmin.body.code !== 'SIGN_IN_REQUIRED';
      expect({ route: keyOf(route), refused }).toEqual({ route: keyOf(route), refused: false });
    }
    // Reading stays open to members.
    for (const path of ['/api/customers/me', '/api/customers/me/notifications', '/api/devices']) {
      expect((await call(`${stack.apiUrl}${path}`, world.member.token)).status).toBe(200);
    }
  });

  it("lets a partner's person claim and work its customer's case, and the other partner's never", async () => {
    // Each partner's live view: ours hears about its customer's case, theirs about nothing.
    const [ourLive, theirLive] = await Promise.all([
      liveView(world.ours.token),
      liveView(world.theirs.token),
    ]);
    const device = connectDevice(stack, 'isp-outage');
    const post = (token: string, caseId: string, path: string, body: unknown = {}) =>
      call(`${stack.apiUrl}/api/cases/${caseId}/${path}`, token, { body });
    try {
      const { caseId, handle } = await openDemoCase(stack, 'Nothing loads since this morning');
      await waitForStatus(handle, 'awaiting_technician', 60_000);
      await eventually(
        async () => ourLive.updates.some((u) => u.status === 'awaiting_technician'),
        {
          what: "the partner's live update of its customer's case",
        },
      );
      expect(ourLive.updates.every((u) => u.caseId === caseId)).toBe(true);
      expect(theirLive.updates).toEqual([]);

      expect((await post(world.theirs.token, caseId, 'take-over')).status).toBe(404);
      expect((await post(world.member.token, caseId, 'take-over')).status).toBe(403);
      const took = await post(world.ours.token, caseId, 'take-over');
      expect(took.body).toEqual({ assignedOperator: world.ours.userId, status: 'with_technician' });
      for (const path of ['notes', 'resolve', 'close']) {
        const body = bodies[`POST /api/cases/:id/${path}`]!(ours);
        expect((await post(world.theirs.token, caseId, path, body)).status).toBe(404);
      }

      // It hands the case only to its own people.
      const people = await call(`${stack.apiUrl}/api/operators`, world.ours.token);
      expect(people.body.operators.map((p: { id: string }) => p.id)).toEqual([world.ours.userId]);
      const operatorId = (await User.findOne({ email: stack.demo.operator.email }).lean())!._id;
      expect((await post(world.ours.token, caseId, 'assign', { operatorId })).status).toBe(400);
      const toTheirs = await post(world.ours.token, caseId, 'assign', {
        operatorId: world.theirs.userId,
      });
      expect(toTheirs.status).toBe(400);

      // Staff notes: the partner reads them, the customer does not.
      const internal = 'Line fault logged with the carrier, ticket 5521';
      const noted = await post(world.ours.token, caseId, 'notes', {
        text: internal,
        visibility: 'internal',
      });
      expect(noted.status).toBe(201);
      const asPartner = await call(`${stack.apiUrl}/api/cases/${caseId}`, world.ours.token);
      expect(JSON.stringify(asPartner.body)).toContain(internal);
      const asCustomer = await call(
        `${stack.apiUrl}/api/cases/${caseId}`,
        stack.demo.customer.token,
      );
      expect(JSON.stringify(asCustomer.body)).not.toContain(internal);

      const resolved = await post(world.ours.token, caseId, 'resolve', {
        code: 'fixed_remotely',
        summary: 'The carrier repaired the line.',
      });
      expect(resolved.status).toBe(200);
      const final = await handle.result();
      expect(final.status).toBe('resolved');
      // The partner's answer counts as the first response against the service levels.
      expect(final.technician?.firstResponseAt).toBeGreaterThan(0);
      await saveHistory(handle, 'partner-technician-resolves');
      expect(theirLive.updates).toEqual([]);
    } finally {
      device.stop();
      ourLive.socket.close();
      theirLive.socket.close();
    }
  }, 180_000);

  it('lets a partner approve a fix for its customer, and the other partner not', async () => {
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval', 60_000);
      const actionId = waiting.proposal!.actionId;
      expect((await approve(stack, caseId, actionId, { token: world.theirs.token })).status).toBe(
        404,
      );
      expect((await stateOf(handle)).status).toBe('awaiting_approval');
      const approved = await approve(stack, caseId, actionId, { token: world.ours.token });
      expect(approved.status).toBe(200);
      expect(await handle.result()).toMatchObject({
        status: 'resolved',
        actionsTaken: ['power_cycle_router'],
      });
    } finally {
      device.stop();
    }
  }, 120_000);
});
