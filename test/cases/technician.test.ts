import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { AuditEntry, Case, User } from '../../store/models';
import { createPersonWithToken } from '../support/people';
import type { CaseState } from '../../workflows/messages';
import {
  approve,
  connectDevice,
  openDemoCase,
  saveHistory,
  stateOf,
  waitForStatus,
} from '../support/cases';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';

// Escalation is a phase: a case the automation hands over is worked to its end by a
// technician through the API, each step an Update in the workflow's history and an entry in
// the audit chain.

function secondOperator(name: string): Promise<{ token: string; id: string }> {
  return createPersonWithToken({
    email: `operator-${randomUUID()}@zen-support.example`,
    name,
    role: 'operator',
  });
}

/** The Update names accepted in the case's Temporal history, in order. */
async function acceptedUpdates(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name)
    .filter((name): name is string => typeof name === 'string');
}

async function until(
  handle: WorkflowHandle,
  what: string,
  ok: (state: CaseState) => boolean,
  timeoutMs = 30_000,
): Promise<CaseState> {
  return eventually(
    async () => {
      const state = await stateOf(handle);
      return ok(state) ? state : undefined;
    },
    { what, timeoutMs },
  );
}

describe('a technician works a handed-over case to its end', () => {
  let stack: TestStack;
  const post = (token: string, caseId: string, path: string, body: unknown = {}) =>
    call(`${stack.apiUrl}/api/cases/${caseId}/${path}`, token, { body });

  beforeAll(async () => {
    stack = await startTestStack('technician', {
      caseSettings: { technicianWaitMs: 600_000, approvalTimeoutMs: 60_000 },
    });
  });
  afterAll(() => stack.stop());

  it('claims (one of two operators wins), notes, checks, proposes, the customer approves, and resolves with a code', async () => {
    const second = await secondOperator('Robin Second');
    const other = second.token;
    const operator = stack.demo.operator.token;
    const customer = stack.demo.customer.token;
    const device = connectDevice(stack, 'isp-outage');
    try {
      const { caseId, handle } = await openDemoCase(stack, 'Nothing loads since this morning');
      const handedOver = await waitForStatus(handle, 'awaiting_technician', 60_000);
      expect(handedOver.issueCategory).toBe('isp');
      expect(handedOver.technician?.handedOverAt).toBeGreaterThan(0);
      await eventually(
        async () => (await Case.findById(caseId).lean())?.status === 'awaiting_technician',
        { what: 'the case document handed over' },
      );

      // Nobody works an unclaimed case, and customers work none.
      expect(
        (await post(customer, caseId, 'notes', { text: 'hi', visibility: 'customer' })).status,
      ).toBe(403);
      const unclaimed = await post(operator, caseId, 'notes', {
        text: 'x',
        visibility: 'internal',
      });
      expect(unclaimed.status).toBe(409);
      expect(unclaimed.body.error).toMatch(/Claim the case/);

      // Two operators claim at the same moment: the workflow takes one, refuses the other.
      const claims = await Promise.all([
        post(operator, caseId, 'take-over'),
        post(other, caseId, 'take-over'),
      ]);
      expect(claims.map((c) => c.status).sort()).toEqual([200, 409]);
      const winner = claims[0]!.status === 200 ? operator : other;
      const loser = winner === operator ? other : operator;
      expect(claims.find((c) => c.status === 409)!.body.error).toMatch(/Another operator/);
      expect((await stateOf(handle)).status).toBe('with_technician');
      expect(
        (await post(loser, caseId, 'notes', { text: 'mine?', visibility: 'internal' })).status,
      ).toBe(409);

      // An internal note and a message the customer can read.
      const internal = 'ISP ticket 48213 opened; their NOC sees a fibre cut in the street';
      const message = 'Your provider has a cable fault in your street. We are on it with them.';
      expect(
        (await post(winner, caseId, 'notes', { text: internal, visibility: 'internal' })).status,
      ).toBe(201);
      expect(
        (await post(winner, caseId, 'notes', { text: message, visibility: 'customer' })).status,
      ).toBe(201);
      const bad = await post(winner, caseId, 'notes', { text: '', visibility: 'secret' });
      expect(bad.status).toBe(400);

      const asCustomer = await call(`${stack.apiUrl}/api/cases/${caseId}`, customer);
      const customerText = JSON.stringify(asCustomer.body);
      expect(customerText).toContain(message);
      expect(customerText).not.toContain(internal);
      expect(customerText).not.toContain('Internal note');
      const asOperator = await call(`${stack.apiUrl}/api/cases/${caseId}`, winner);
      expect(JSON.stringify(asOperator.body)).toContain(internal);
      expect(asOperator.body.live.technician.notes).toEqual([
        expect.objectContaining({
          visibility: 'internal',
          text: internal,
          who: expect.any(String),
        }),
        expect.objectContaining({ visibility: 'customer', text: message }),
      ]);
      const customerAudit = await call(`${stack.apiUrl}/api/cases/${caseId}/audit`, customer);
      expect(JSON.stringify(customerAudit.body.entries)).not.toContain(internal);
      expect(customerAudit.body.verification.valid).toBe(true);

      // More checks on the box, while the line is still down.
      const checks = await post(winner, caseId, 'checks', { checks: ['modem', 'internet'] });
      expect(checks.status).toBe(202);
      const again = await post(winner, caseId, 'checks', { checks: ['dns'] });
      expect([202, 409]).toContain(again.status);
      const checked = await until(
        handle,
        'the checks to run',
        (s) => s.status === 'with_technician' && s.technician?.checksPending === undefined,
      );
      expect(checked.results.find((r) => r.check === 'internet')?.ok).toBe(false);

      // The provider mends the line; the modem needs a restart to lock again. The technician
      // proposes it, and the customer approves it as any fix.
      device.network.repairOnSite('upstreamDown');
      const notInCatalog = await post(winner, caseId, 'proposals', {
        action: 'format_the_disk',
        reason: 'no',
      });
      expect(notInCatalog.status).toBe(400);
      const badParams = await post(winner, caseId, 'proposals', {
        action: 'power_cycle_modem',
        params: { offSeconds: 600 },
        reason: 'too long',
      });
      expect(badParams.status).toBe(400);
      const proposed = await post(winner, caseId, 'proposals', {
        action: 'power_cycle_modem',
        params: { offSeconds: 10 },
        reason: 'The line is back; the modem must resync with it.',
      });
      expect(proposed.status).toBe(202);
      const waiting = await waitForStatus(handle, 'awaiting_approval');
      expect(waiting.proposal).toMatchObject({ action: 'power_cycle_modem' });
      const early = await post(winner, caseId, 'resolve', { code: 'fixed_remotely', summary: 'x' });
      expect(early.status).toBe(409);
      // The technician's shift ends: the case goes to the colleague, the fix still waiting.
      const demoOperatorId = (await User.findOne({ email: stack.demo.operator.email }).lean())!._id;
      const colleagueId = winner === operator ? second.id : demoOperatorId;
      const handedOn = await post(winner, caseId, 'assign', { operatorId: colleagueId });
      expect(handedOn.body).toEqual({ status: 'awaiting_approval', assignedOperator: colleagueId });
      const holder = loser;
      expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);
      const verified = await until(
        handle,
        'the fix carried out and checked',
        (s) =>
          s.status === 'with_technician' &&
          s.actionsTaken.includes('power_cycle_modem') &&
          s.results.every((r) => r.ok),
        60_000,
      );
      expect(verified.approvalWaitMs).toBeGreaterThan(0);

      const notTheirs = await post(winner, caseId, 'resolve', {
        code: 'fixed_remotely',
        summary: 'x',
      });
      expect(notTheirs.body.error).toMatch(/Another operator holds/);
      const resolved = await post(holder, caseId, 'resolve', {
        code: 'fixed_remotely',
        summary: 'The provider repaired the line; the modem resynced after a restart.',
      });
      expect(resolved.status).toBe(200);
      expect(resolved.body.status).toBe('resolved');
      const final = await handle.result();
      expect(final.status).toBe('resolved');
      expect(final.figures).toMatchObject({
        outcome: 'resolved',
        resolvedBy: 'technician',
        times: {
          totalSeconds: expect.any(Number),
          resolutionSeconds: expect.any(Number),
          approvalWaitSeconds: expect.any(Number),
          technicianSeconds: expect.any(Number),
          firstResponseSeconds: expect.any(Number),
        },
        slaBreaches: [],
      });
      expect(final.figures!.times.technicianSeconds!).toBeLessThanOrEqual(
        final.figures!.times.totalSeconds,
      );
      expect(device.network.applied.map((a) => a.action)).toEqual(['power_cycle_modem']);

      // The case document, the audit chain and the Temporal history all tell it.
      const doc = await eventually(
        async () => {
          const found = await Case.findById(caseId).lean();
          return found?.status === 'resolved' ? found : undefined;
        },
        { what: 'the resolved case document' },
      );
      expect(doc).toMatchObject({
        outcome: 'resolved',
        resolvedBy: 'technician',
        resolution: { code: 'fixed_remotely' },
        times: { technicianSeconds: expect.any(Number) },
      });
      expect(doc.handedOverAt).toBeInstanceOf(Date);
      const steps = (await AuditEntry.find({ caseId }).sort({ seq: 1 }).lean()).map(
        (e) => e.actionType,
      );
      for (const step of [
        'handed_to_technician',
        'operator_took_over',
        'technician_assigned',
        'technician_note',
        'technician_message',
        'technician_checks',
        'fix_proposed',
        'fix_approved',
        'fix_done',
        'case_resolved',
      ]) {
        expect(steps).toContain(step);
      }
      expect(steps.indexOf('technician_note')).toBeLessThan(steps.indexOf('technician_checks'));
      expect(steps.indexOf('fix_approved')).toBeLessThan(steps.indexOf('case_resolved'));
      const verify = await call(`${stack.apiUrl}/api/cases/${caseId}/audit/verify`, winner);
      expect(verify.status).toBe(200);
      const updates = await acceptedUpdates(handle);
      expect(updates).toEqual(
        expect.arrayContaining([
          'takeOver',
          'assignCase',
          'addNote',
          'requestChecks',
          'proposeFix',
          'decideRemediation',
          'resolveCase',
        ]),
      );
      expect(updates.filter((u) => u === 'takeOver')).toHaveLength(1);
      await saveHistory(handle, 'technician-resolves');
    } finally {
      device.stop();
    }
  }, 180_000);
});

describe("a customer's own service levels", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('technician-own-sla');
  });
  afterAll(() => stack.stop());

  it('operators set them; new cases run against them, the defaults otherwise', async () => {
    const url = `${stack.apiUrl}/api/customers/${stack.demo.customer.id}/sla`;
    const operator = stack.demo.operator.token;
    const before = await call(url, operator);
    expect(before.body).toEqual({
      sla: { firstResponseMinutes: 60, resolutionMinutes: 480 },
      own: false,
    });
    const sla = { firstResponseMinutes: 15, resolutionMinutes: 120 };
    expect((await call(url, stack.demo.customer.token, { method: 'PUT', body: sla })).status).toBe(
      403,
    );
    const bad = await call(url, operator, { method: 'PUT', body: { firstResponseMinutes: 0 } });
    expect(bad.status).toBe(400);
    const unknown = await call(`${stack.apiUrl}/api/customers/nobody/sla`, operator, {
      method: 'PUT',
      body: sla,
    });
    expect(unknown.status).toBe(404);
    expect((await call(url, operator, { method: 'PUT', body: sla })).body).toEqual({
      sla,
      own: true,
    });
    expect((await call(url, operator)).body).toEqual({ sla, own: true });

    const { handle } = await openDemoCase(stack);
    const opened = await until(handle, 'the case to start its clocks', (s) => s.sla !== undefined);
    expect(opened.sla).toEqual({ ...sla, breaches: [] });
    await call(`${stack.apiUrl}/api/cases/${opened.caseId}/close`, operator, {
      body: { reason: 'test over' },
    });
    expect((await handle.result()).status).toBe('cancelled');
  });
});

describe('service levels, and a case that cannot be fixed from here', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('technician-sla', {
      caseSettings: { technicianWaitMs: 600_000 },
      // A second and a half to respond, four to resolve: both pass while nobody works it.
      api: { sla: { firstResponseMinutes: 0.025, resolutionMinutes: 0.07 } },
      notifications: { retrySeconds: 3 },
    });
  });
  afterAll(() => stack.stop());

  it('notices both deadlines passing, tells operators, and closes as not fixable remotely', async () => {
    const device = connectDevice(stack, 'isp-outage');
    const operator = stack.demo.operator.token;
    try {
      const { caseId, handle } = await openDemoCase(stack);
      await waitForStatus(handle, 'awaiting_technician', 60_000);
      const breached = await until(
        handle,
        'both service levels missed',
        (s) => (s.sla?.breaches.length ?? 0) === 2,
        30_000,
      );
      expect(breached.sla!.breaches.map((b) => b.kind).sort()).toEqual([
        'first_response',
        'resolution',
      ]);
      // Operators hear it on Slack; the customer sees none of it.
      await eventually(
        async () =>
          stack.notifier!.slack.messages.filter((m) => m.text.includes('Service level missed'))
            .length >= 2,
        { what: 'the SLA breaches on Slack' },
      );
      const asCustomer = await call(
        `${stack.apiUrl}/api/cases/${caseId}`,
        stack.demo.customer.token,
      );
      expect(JSON.stringify(asCustomer.body)).not.toMatch(/Service level|sla_breached/);
      expect(asCustomer.body.live.sla).toBeUndefined();
      await eventually(
        async () => ((await Case.findById(caseId).lean())?.slaBreaches?.length ?? 0) === 2,
        { what: 'the breaches on the case document' },
      );
      // The queue reads the levels the case runs against from its document.
      expect((await Case.findById(caseId).lean())?.sla).toEqual({
        firstResponseMinutes: 0.025,
        resolutionMinutes: 0.07,
      });

      expect(
        (await call(`${stack.apiUrl}/api/cases/${caseId}/take-over`, operator, { body: {} }))
          .status,
      ).toBe(200);
      const closed = await call(`${stack.apiUrl}/api/cases/${caseId}/close-unfixable`, operator, {
        body: {
          reason: 'isp_fault',
          summary: 'A fibre cut in the street: the provider repairs it.',
        },
      });
      expect(closed.status).toBe(200);
      expect(closed.body.status).toBe('not_fixable_remotely');
      const final = await handle.result();
      expect(final.figures).toMatchObject({
        outcome: 'not_fixable_remotely',
        slaBreaches: [
          expect.objectContaining({ kind: expect.any(String) }),
          expect.objectContaining({ kind: expect.any(String) }),
        ],
      });
      expect(final.figures!.resolvedBy).toBeUndefined();
      expect(final.figures!.times.resolutionSeconds).toBeUndefined();
      // The first response came after its deadline: recorded as it was.
      expect(final.figures!.times.firstResponseSeconds!).toBeGreaterThanOrEqual(1);
      const after = await call(`${stack.apiUrl}/api/cases/${caseId}/notes`, operator, {
        body: { text: 'late', visibility: 'internal' },
      });
      expect(after.status).toBe(409);
      await saveHistory(handle, 'technician-sla-unfixable');
    } finally {
      device.stop();
    }
  }, 120_000);
});
