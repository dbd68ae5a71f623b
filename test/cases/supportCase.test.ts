import { defaultPayloadConverter } from '@temporalio/common';
import { AuditEntry, Case } from '../../store/models';
import { loadConfig } from '../../config';
import { AesGcmPayloadCodec } from '../../temporal-config/codec/aesGcmCodec';
import {
  callEventSignal,
  decideRemediationUpdate,
  searchAttributes,
} from '../../workflows/messages';
import {
  approve,
  connectDevice,
  openDemoCase,
  saveHistory,
  stateOf,
  waitForStatus,
} from '../support/cases';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';

// Whole cases through the real API, Temporal dev server, FerretDB and a simulated Pi.

describe('supportCase', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('cases', {
      caseSettings: {
        approvalTimeoutMs: 60_000,
        approvalGraceMs: 60_000,
        deviceOfflineLimitMs: 60_000,
      },
    });
  });
  afterAll(() => stack.stop());

  it('happy path: diagnoses, proposes, is approved, fixes, verifies and resolves', async () => {
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval');
      expect(waiting.proposal).toMatchObject({
        action: 'power_cycle_router',
        params: { offSeconds: 10 },
        risk: 'medium',
      });
      expect(waiting.issueCategory).toBe('gateway');
      expect(device.network.applied).toEqual([]);

      const res = await approve(stack, caseId, waiting.proposal!.actionId);
      expect(res).toEqual({
        status: 200,
        body: { status: 'approved', executionStarted: true, estimatedDuration: '3 minutes' },
      });

      const final = await handle.result();
      expect(final.status).toBe('resolved');
      expect(final.actionsTaken).toEqual(['power_cycle_router']);
      expect(final.resolutionMs).toBeGreaterThan(0);
      expect(device.network.applied.map((a) => a.action)).toEqual(['power_cycle_router']);
      expect(final.results.every((r) => r.ok)).toBe(true);

      const doc = await Case.findById(caseId).lean();
      expect(doc).toMatchObject({
        status: 'resolved',
        issueCategory: 'gateway',
        resolutionTimeMinutes: 0,
      });
      expect(doc!.completedAt).toBeInstanceOf(Date);
      // Steps are written through the driver, which sets no timestamps by itself.
      expect(doc!.updatedAt.getTime()).toBeGreaterThanOrEqual(doc!.completedAt!.getTime());
      expect(doc!.remediationActions).toHaveLength(1);

      const types = (await AuditEntry.find({ caseId }).sort({ seq: 1 }).lean()).map(
        (e) => e.actionType,
      );
      expect(types).toEqual(
        expect.arrayContaining([
          'case_opened',
          'fix_proposed',
          'fix_approved',
          'fix_done',
          'case_resolved',
        ]),
      );
      const approvedEntry = await AuditEntry.findOne({ caseId, actionType: 'fix_approved' }).lean();
      expect(approvedEntry).toMatchObject({
        userApproved: true,
        channel: 'api',
        actor: { role: 'customer', customerId: stack.demo.customer.id },
      });

      const verify = await call(
        `${stack.apiUrl}/api/cases/${caseId}/audit/verify`,
        stack.demo.customer.token,
      );
      expect(verify.body).toEqual({ caseId, valid: true, entries: types.length });
      expect(verify.status).toBe(200);

      // What an operator reads in the Temporal UI.
      const meta = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
      expect(meta.currentDetails).toContain('**Status:** resolved');
      expect(meta.currentDetails).toContain('power_cycle_router');
      const { events } = await handle.fetchHistory();
      // The history as stored: its summaries are encrypted like every payload.
      const codec = new AesGcmPayloadCodec(loadConfig().temporal.codecKeys);
      const summaries = await Promise.all(
        (events ?? [])
          .filter((e) => e.activityTaskScheduledEventAttributes || e.timerStartedEventAttributes)
          .map(async (e) => {
            const summary = e.userMetadata?.summary;
            if (!summary) return undefined;
            const [plain] = await codec.decode([summary]);
            return defaultPayloadConverter.fromPayload(plain!);
          }),
      );
      expect(summaries.filter((s) => typeof s !== 'string' || s.length === 0)).toEqual([]);
      expect(summaries).toEqual(
        expect.arrayContaining([
          'Create the case document',
          'Ask the advisor (round 1)',
          'Carry out on the Zen box: Power-cycle the router through its smart plug',
          'Let the network settle before verifying',
        ]),
      );

      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(searchAttributes.status)).toBe('resolved');
      expect(description.typedSearchAttributes.get(searchAttributes.issueCategory)).toBe('gateway');

      // This stack's notifier has no channel: the proposal and the close were each planned,
      // to nobody, and no notifyPeople child was started for them.
      const scheduled = (events ?? []).map(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name,
      );
      expect(scheduled.filter((name) => name === 'planNotifications')).toHaveLength(2);
      expect(events!.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toEqual(
        [],
      );
      // One version marker stands for every patch (workflows/patchMarkers.ts).
      expect(events!.filter((e) => e.markerRecordedEventAttributes)).toHaveLength(1);
      await saveHistory(handle, 'resolved-told-nobody');
    } finally {
      device.stop();
    }
  });

  it("a fault of the office fixed only on the box: the box keeps working, the case hands the router's fix to the customer", async () => {
    const device = connectDevice(stack, 'dns-failure');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval');
      expect(waiting.proposal).toMatchObject({
        action: 'switch_dns_fallback',
        params: { resolver: '203.0.113.53' },
      });
      expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);

      const final = await handle.result();
      await saveHistory(handle, 'office-dns-failure-escalated');
      // The box's own checks pass again; what the office's DHCP hands out still fails.
      expect(final.results.filter((r) => !r.ok).map((r) => r.check)).toEqual(['dhcp_servers']);
      expect(device.network.applied.map((a) => a.action)).toEqual(['switch_dns_fallback']);
      expect(final).toMatchObject({
        status: 'escalated',
        issueCategory: 'dns',
        faultScope: 'office',
        actionsTaken: ['switch_dns_fallback'],
      });
      expect(final.resolutionMs).toBeUndefined();
      expect(final.instructions).toMatch(/DHCP[\s\S]*DNS server[\s\S]*203\.0\.113\.53/);
      const types = (await AuditEntry.find({ caseId }).sort({ seq: 1 }).lean()).map(
        (e) => e.actionType,
      );
      // The router's fix was the customer's to make; nobody said it was done.
      expect(types).toEqual(
        expect.arrayContaining(['fix_done', 'customer_step_asked', 'case_escalated']),
      );
      expect(types).not.toContain('customer_step_done');
      expect(types).not.toContain('case_resolved');
    } finally {
      device.stop();
    }
  });

  it('declined fix: nothing runs and the case is escalated with instructions', async () => {
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval');
      expect(waiting.proposal!.action).toBe('power_cycle_router');
      const res = await approve(stack, caseId, waiting.proposal!.actionId, { approved: false });
      expect(res.body).toMatchObject({ status: 'declined', executionStarted: false });
      const final = await handle.result();
      expect(final.status).toBe('escalated');
      expect(final.instructions).toContain('declined');
      expect(device.network.applied).toEqual([]);
      expect(await AuditEntry.findOne({ caseId, actionType: 'fix_declined' }).lean()).toMatchObject(
        {
          userApproved: false,
        },
      );
    } finally {
      device.stop();
    }
  });

  it('racing approvals from two people: exactly one wins and the fix runs once', async () => {
    const device = connectDevice(stack, 'modem-hung');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval', 40_000);
      const actionId = waiting.proposal!.actionId;
      const answers = await Promise.all([
        approve(stack, caseId, actionId),
        approve(stack, caseId, actionId, { token: stack.demo.operator.token }),
        approve(stack, caseId, actionId),
      ]);
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, 409, 409]);
      for (const loser of answers.filter((a) => a.status === 409)) {
        expect(loser.body).toMatchObject({ code: 'DECISION_REJECTED' });
        expect(loser.body.error).toMatch(/Already approved through api|No fix is waiting/);
      }
      const final = await handle.result();
      expect(final.status).toBe('resolved');
      expect(final.decisions).toHaveLength(1);
      expect(device.network.applied.map((a) => a.action)).toEqual(['power_cycle_modem']);

      // A late duplicate after the case is over gets a clear answer too.
      const late = await approve(stack, caseId, actionId);
      expect(late.status).toBe(409);
    } finally {
      device.stop();
    }
  });

  it('rejects a decision for the wrong action or from another customer', async () => {
    const device = connectDevice(stack, 'dns-failure');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval');
      const wrong = await approve(stack, caseId, 'not-the-action');
      expect(wrong).toMatchObject({ status: 409, body: { code: 'DECISION_REJECTED' } });
      expect(wrong.body.error).toContain('is not the fix waiting for approval');
      // An actor of another customer, straight at the workflow (the API would 404 first).
      await expect(
        handle.executeUpdate(decideRemediationUpdate, {
          args: [
            {
              actionId: waiting.proposal!.actionId,
              approved: true,
              actor: { id: 'x', role: 'customer', customerId: 'someone-else' },
              channel: 'phone',
            },
          ],
        }),
      ).rejects.toThrow();
      expect((await stateOf(handle)).status).toBe('awaiting_approval');
      await approve(stack, caseId, waiting.proposal!.actionId, { approved: false });
      await handle.result();
    } finally {
      device.stop();
    }
  });

  it('escalates what cannot be fixed remotely, with instructions for the customer', async () => {
    const device = connectDevice(stack, 'link-down');
    try {
      const { handle } = await openDemoCase(stack);
      const final = await handle.result();
      expect(final).toMatchObject({ status: 'escalated', issueCategory: 'link' });
      expect(final.instructions!.length).toBeGreaterThan(20);
      expect(device.network.applied).toEqual([]);
    } finally {
      device.stop();
    }
  });

  it('an operator can take a case over and close it', async () => {
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      await waitForStatus(handle, 'awaiting_approval');
      const customerTry = await call(
        `${stack.apiUrl}/api/cases/${caseId}/take-over`,
        stack.demo.customer.token,
        { body: {} },
      );
      expect(customerTry.status).toBe(403);
      const took = await call(
        `${stack.apiUrl}/api/cases/${caseId}/take-over`,
        stack.demo.operator.token,
        { body: {} },
      );
      expect(took.status).toBe(200);
      expect(took.body.assignedOperator).toBeTruthy();
      // Call events from the phone channel land in the record.
      await handle.signal(callEventSignal, { type: 'hangup', callControlId: 'v3:call-1' });
      await eventually(
        () => AuditEntry.exists({ caseId, actionType: 'call_hangup', channel: 'phone' }),
        {
          what: 'the call event in the audit log',
        },
      );
      const closed = await call(
        `${stack.apiUrl}/api/cases/${caseId}/close`,
        stack.demo.operator.token,
        {
          body: { reason: 'customer fixed it themselves' },
        },
      );
      expect(closed.status).toBe(202);
      const final = await handle.result();
      expect(final.status).toBe('cancelled');
      expect(final.step).toContain('customer fixed it themselves');
      expect(device.network.applied).toEqual([]);
      await eventually(async () => (await Case.findById(caseId).lean())?.status === 'cancelled', {
        what: 'cancelled case document',
      });
    } finally {
      device.stop();
    }
  });

  it('detects a tampered audit entry', async () => {
    const device = connectDevice(stack, 'healthy');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      expect((await handle.result()).status).toBe('resolved');
      const url = `${stack.apiUrl}/api/cases/${caseId}/audit/verify`;
      expect((await call(url, stack.demo.operator.token)).body.valid).toBe(true);
      await AuditEntry.updateOne({ caseId, seq: 2 }, { $set: { 'actionDetails.forged': true } });
      const verdict = await call(url, stack.demo.operator.token);
      expect(verdict.status).toBe(409);
      expect(verdict.body).toMatchObject({ valid: false, brokenAt: { seq: 2 } });
    } finally {
      device.stop();
    }
  });
});
