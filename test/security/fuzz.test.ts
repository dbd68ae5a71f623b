import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { admits } from '../../api/auth';
import { routes, type RouteSpec } from '../../api/openapi';
import type { Role } from '../../contracts/case';
import { Case, Device } from '../../store/models';
import { listRoutes } from '../support/routes';
import { startTestStack, type TestStack } from '../support/stack';
import { seedPartners, type OtherTenant } from '../support/tenants';

// Every route, every kind of caller, every kind of bad input: malformed JSON,
// wrong types, `$` operators, oversized bodies, hostile path segments and
// query strings. The API may refuse in many ways, but never with a 5xx, and
// never with a success for a caller the route does not admit.

interface Caller {
  name: string;
  token?: string;
  role?: Role;
  /** A customer's person: one of its admins (customer_admin routes admit them). */
  admin?: boolean;
}

const hostileSegments = [
  '..%2F..%2Fetc%2Fpasswd',
  '..%5C..%5Cwindows',
  '%00',
  'x'.repeat(5000),
  encodeURIComponent('{"$ne":null}'),
  encodeURIComponent("' OR 1=1 --"),
  encodeURIComponent('<script>alert(1)</script>'),
];

const hostileQueries = [
  'status[$ne]=resolved',
  'customerId[$ne]=x',
  'customerId=a&customerId=b',
  'limit=-1',
  'limit=abc',
  'deviceId=' + 'x'.repeat(5000),
  '__proto__[admin]=1',
];

interface HostileBody {
  raw: string;
  /** No reading of the route's schema can accept it: an admitted caller must get a 4xx. */
  invalid: boolean;
}

/** Raw bodies, sent as application/json. */
function hostileBodies(route: RouteSpec): HostileBody[] {
  const schema = route.body
    ? (z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }) as {
        properties?: object;
      })
    : {};
  const keys = Object.keys(schema.properties ?? {});
  const every = (value: unknown) => ({
    raw: JSON.stringify(Object.fromEntries(keys.map((k) => [k, value]))),
    invalid: keys.length > 0,
  });
  return [
    { raw: '{"unterminated":', invalid: true },
    { raw: 'not json at all', invalid: true },
    { raw: '[]', invalid: true },
    { raw: '"a string"', invalid: true },
    { raw: '123', invalid: true },
    { raw: 'null', invalid: true },
    // Unknown keys: refused by strict schemas, dropped by the others; never operators.
    { raw: JSON.stringify({ $where: 'sleep(1000)', $gt: '' }), invalid: false },
    {
      raw: '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}',
      invalid: false,
    },
    every({ $ne: null }),
    every({ $gt: '' }),
    every(['array', 'instead']),
    every(12345),
    every('x'.repeat(100_000)),
    { raw: JSON.stringify({ pad: 'x'.repeat(300_000) }), invalid: true },
  ];
}

/** Whether the route admits the caller, as the API's role guard decides it. */
function allowed(route: RouteSpec, caller: Caller): boolean {
  if (!('roles' in route.access)) return true;
  if (caller.role === undefined) return false;
  return admits(route.access.roles, { id: caller.name, role: caller.role, admin: caller.admin });
}

describe('fuzzing every route', () => {
  let stack: TestStack;
  let other: OtherTenant;
  let callers: Caller[];

  beforeAll(async () => {
    stack = await startTestStack('fuzz', {
      worker: false,
      api: {
        security: {
          corsOrigins: [],
          trustProxy: 'loopback',
          // The run is thousands of requests from one address; the limits have their own test.
          rateLimits: {
            signInPerMinute: 100_000,
            webhookPerMinute: 100_000,
            devicePerMinute: 100_000,
          },
          metricsToken: undefined,
        },
      },
    });
    const world = await seedPartners(stack.demo.customer.id);
    other = world.other;
    // A JWT-shaped token with our claims, signed with a key we do not use.
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const body = `${b64({ alg: 'HS256' })}.${b64({ sub: 'operator-1', role: 'operator', sid: 'x', exp: 2e9 })}`;
    const forged = `${body}.${createHmac('sha256', 'guessed-secret').update(body).digest('base64url')}`;
    callers = [
      { name: 'nobody' },
      { name: 'garbage token', token: 'zu_' + 'A'.repeat(40) },
      { name: 'forged JWT', token: forged },
      { name: 'device', token: stack.demo.device.token, role: 'device' },
      { name: 'customer admin', token: stack.demo.customer.token, role: 'customer', admin: true },
      { name: 'customer member', token: world.member.token, role: 'customer', admin: false },
      { name: 'other customer', token: other.token, role: 'customer', admin: true },
      { name: 'partner', token: world.ours.token, role: 'partner' },
      { name: 'operator', token: stack.demo.operator.token, role: 'operator' },
      { name: 'worker', token: stack.internalToken, role: 'service' },
    ];
  });
  afterAll(() => stack?.stop());

  it('documents exactly the routes the API serves', () => {
    const served = listRoutes(stack.app).map((r) => `${r.method} ${r.path}`);
    const documented = routes.map((r) => `${r.method} ${r.path}`);
    expect(documented.sort()).toEqual(served.sort());
  });

  it('serves the OpenAPI document with every route and its roles', async () => {
    const doc = (await (await fetch(`${stack.apiUrl}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { 'x-roles': string[] }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const route of routes) {
      const op = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      expect(op?.['x-roles']).toEqual(
        'roles' in route.access ? route.access.roles : [route.access.public],
      );
    }
  });

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: no 5xx and no unauthorized success',
    async (_name, route) => {
      const failures: string[] = [];
      const send = async (caller: Caller, path: string, body?: string) => {
        const res = await fetch(`${stack.apiUrl}${path}`, {
          method: route.method,
          headers: {
            ...(caller.token && { authorization: `Bearer ${caller.token}` }),
            ...(body !== undefined && { 'content-type': 'application/json' }),
          },
          body: route.method === 'GET' ? undefined : body,
        });
        const text = await res.text();
        const what = `${caller.name} ${route.method} ${path.slice(0, 80)} ${body?.slice(0, 60) ?? ''} → ${res.status} ${text.slice(0, 120)}`;
        // Voice is not configured in this stack: the webhook says so, honestly, with a 503.
        const unconfigured = res.status === 503 && text.includes('VOICE_NOT_CONFIGURED');
        if (res.status >= 500 && !unconfigured) failures.push(`5xx: ${what}`);
        if (res.ok && !allowed(route, caller)) failures.push(`unauthorized success: ${what}`);
        // The role guard's refusal for a caller the document admits: the two disagree. (A
        // route that needs a person signed in refuses these API tokens past the role guard.)
        const roleRefusal = text.includes('"error":"This needs ') && text.includes('"FORBIDDEN"');
        if (res.status === 403 && allowed(route, caller) && roleRefusal) {
          failures.push(`admitted by the document, refused by the route: ${what}`);
        }
        return res.status;
      };

      const paths = route.path.includes(':')
        ? hostileSegments.map((seg) => route.path.replace(/:\w+/g, seg))
        : [route.path];
      for (const caller of callers) {
        for (const path of paths) {
          if (route.method === 'GET') {
            await send(caller, path);
            for (const query of hostileQueries) await send(caller, `${path}?${query}`);
          } else {
            for (const body of hostileBodies(route)) {
              const status = await send(caller, path, body.raw);
              // Bad input from a caller the route admits is refused as bad input.
              if (body.invalid && route.body && status >= 200 && status < 300) {
                failures.push(
                  `accepted bad input: ${caller.name} ${route.method} ${path} ${body.raw.slice(0, 60)}`,
                );
              }
            }
          }
        }
      }
      expect(failures).toEqual([]);
    },
    120_000,
  );

  it('left every tenant as it was', async () => {
    // Nothing above may have revoked, re-keyed or re-assigned anything real.
    const devices = await Device.find({}, { deviceId: 1, customerId: 1, revokedAt: 1 }).lean();
    expect(devices.filter((d) => d.revokedAt)).toEqual([]);
    expect(await Case.countDocuments({ customerId: other.customerId })).toBe(1);
    expect(await Case.countDocuments({ customerId: stack.demo.customer.id })).toBe(0);
  });
});
