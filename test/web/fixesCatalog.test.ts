import { z } from 'zod';
import { routes } from '../../api/openapi';
import { actionIds, remediationCatalog } from '../../contracts/remediation';
import { call, startTestStack, type TestStack } from '../support/stack';

// GET /api/fixes: the catalog a technician proposes a fix from, for operators only, with
// each fix's parameters as JSON Schema that says what the catalog itself accepts.

interface FixView {
  action: string;
  title: string;
  what: string;
  undo: string;
  risk: string;
  downtime: string;
  repairs: string;
  params: Record<string, unknown>;
}

describe('the fix catalog for technicians', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('fixes', { worker: false });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('lists every catalog fix in words, with its risk, downtime and what it repairs', async () => {
    const res = await call(`${stack.apiUrl}/api/fixes`, stack.demo.operator.token);
    expect(res.status).toBe(200);
    const fixes = res.body.fixes as FixView[];
    expect(fixes.map((f) => f.action)).toEqual([...actionIds]);
    const modem = fixes.find((f) => f.action === 'power_cycle_modem')!;
    expect(modem).toMatchObject({
      title: 'Power-cycle the modem through its smart plug',
      risk: 'medium',
      downtime: '3 minutes',
      repairs: 'office',
      what: expect.stringMatching(/every device in the office/),
    });
    expect(fixes.find((f) => f.action === 'flush_dns')!.repairs).toBe('box');
  });

  it("gives each fix's parameters as JSON Schema that accepts and refuses what the catalog does", async () => {
    const { body } = await call(`${stack.apiUrl}/api/fixes`, stack.demo.operator.token);
    const byAction = new Map((body.fixes as FixView[]).map((f) => [f.action, f.params]));
    expect(byAction.get('power_cycle_modem')).toEqual({
      type: 'object',
      properties: { offSeconds: { type: 'integer', minimum: 5, maximum: 60 } },
      required: ['offSeconds'],
      additionalProperties: false,
    });
    expect(byAction.get('renew_dhcp_lease')).toMatchObject({
      properties: { interface: { type: 'string', enum: ['eth0', 'wlan0'] } },
      required: ['interface'],
    });
    // Read back into zod, every schema takes exactly what the catalog's own schema takes.
    const samples: Record<string, unknown>[] = [
      {},
      { interface: 'eth0' },
      { interface: 'ppp0' },
      { offSeconds: 10 },
      { offSeconds: 3 },
      { resolver: '9.9.9.9' },
      { servers: ['192.168.1.1'] },
      { servers: [] },
      { gateway: '192.168.1.1' },
    ];
    for (const action of actionIds) {
      const served = z.fromJSONSchema(byAction.get(action) as z.core.JSONSchema.JSONSchema);
      for (const sample of samples) {
        expect([action, sample, served.safeParse(sample).success]).toEqual([
          action,
          sample,
          remediationCatalog[action].params.safeParse(sample).success,
        ]);
      }
    }
  });

  it('is for technicians (operators, partners) only, and documented as such', async () => {
    expect((await call(`${stack.apiUrl}/api/fixes`, stack.demo.customer.token)).status).toBe(403);
    expect((await call(`${stack.apiUrl}/api/fixes`, undefined)).status).toBe(401);
    const doc = (await (await fetch(`${stack.apiUrl}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { 'x-roles': string[] }>>;
    };
    expect(doc.paths['/api/fixes']?.get?.['x-roles']).toEqual(['operator', 'partner']);
    expect(routes.some((r) => r.method === 'GET' && r.path === '/api/fixes')).toBe(true);
  });
});
