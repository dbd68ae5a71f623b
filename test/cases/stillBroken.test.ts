import type { supportCase } from '../../workflows/supportCase';
import { AuditEntry, Case, Device, User } from '../../store/models';
import { connectDevice, openDemoCase, saveHistory, stateOf, waitForStatus } from '../support/cases';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';
import { unseal } from '../../privacy/seal';

// "It is still not working": a resolved case reopens as a linked follow-up that re-runs
// the box's checks, never closes on them alone, and is handed to an assigned person.

describe('a customer says a resolved case is still broken', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('still-broken', {
      caseSettings: { approvalTimeoutMs: 60_000, approvalGraceMs: 60_000 },
    });
  });
  afterAll(() => stack.stop());

  const report = (caseId: string, body: unknown, token = stack.demo.customer.token) =>
    call(`${stack.apiUrl}/api/cases/${caseId}/still-broken`, token, { body });

  it('reopens it as a linked follow-up with a person assigned, once', async () => {
    // The box is not connected yet: the case is open, and a report on it is refused.
    const { caseId, handle } = await openDemoCase(stack, 'Nobody in the office can get online');
    await eventually(async () => Case.findById(caseId).lean(), { what: 'the case document' });
    expect((await report(caseId, {})).status).toBe(409);

    const device = connectDevice(stack, 'healthy');
    try {
      expect((await handle.result()).status).toBe('resolved');

      // Bad input is refused and changes nothing.
      expect((await report(caseId, { words: 'x'.repeat(2001) })).status).toBe(400);
      expect((await report(caseId, { words: 'ok', extra: 1 })).status).toBe(400);
      expect((await Case.findById(caseId).lean())?.followUpCaseId).toBeUndefined();

      const operator = await User.findOne({ email: stack.demo.operator.email }).lean();
      const words = 'Still nobody in the office can get online';
      const first = await report(caseId, { words });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        followUpOf: caseId,
        assignedOperator: operator!._id,
        opened: true,
      });
      const followUpId = first.body.caseId as string;
      expect(followUpId).not.toBe(caseId);

      // A second report (a double click, the phone) gets the same follow-up.
      const again = await report(caseId, { words: 'hello?' });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ caseId: followUpId, opened: false });

      const followUp = stack.client.workflow.getHandle<typeof supportCase>(first.body.workflowId);
      const final = await followUp.result();
      // The box's checks pass again, but they do not close the case: a person has it.
      expect(final.results.length).toBeGreaterThan(0);
      expect(final.results.every((r) => r.ok)).toBe(true);
      expect(final.status).toBe('escalated');
      expect(final.caseId).toBe(followUpId);
      expect(final.followUpOf).toBe(caseId);
      expect(final.assignedOperator).toBe(operator!._id);
      // The workflow carries the words sealed (privacy/): they open to what was said.
      expect(await unseal(final.reports![0]!.words)).toBe(words);
      expect(final.instructions).toMatch(/technician has been assigned/);
      await saveHistory(followUp, 'still-broken-follow-up');

      // Both cases show the link; the follow-up's document names its person.
      const oldView = await call(`${stack.apiUrl}/api/cases/${caseId}`, stack.demo.customer.token);
      expect(oldView.body).toMatchObject({ status: 'resolved', followUpCaseId: followUpId });
      const newView = await call(
        `${stack.apiUrl}/api/cases/${followUpId}`,
        stack.demo.customer.token,
      );
      expect(newView.body).toMatchObject({
        followUpOf: caseId,
        assignedOperator: operator!._id,
        assignedOperatorName: 'Zen & Zen technician',
        status: 'escalated',
      });
      // The old case's history is kept, and its trail says where the case went on.
      const trail = await call(
        `${stack.apiUrl}/api/cases/${caseId}/audit`,
        stack.demo.customer.token,
      );
      expect(trail.body.verification.valid).toBe(true);
      expect(trail.body.entries.at(-1)).toMatchObject({
        actionType: 'still_broken_reported',
        actionDetails: { words, followUpCaseId: followUpId },
        who: stack.demo.customer.email,
      });
      expect(await AuditEntry.countDocuments({ caseId, actionType: 'case_resolved' })).toBe(1);
      // The closed case's own run keeps its state (the workflow id now names the follow-up).
      const oldRun = (await Case.findById(caseId).lean())!.runId!;
      const oldState = await stateOf(stack.client.workflow.getHandle(handle.workflowId, oldRun));
      expect(oldState).toMatchObject({ status: 'resolved', caseId });
    } finally {
      device.stop();
    }
  });

  it('joins the box’s case that is open now: it takes the words and the person', async () => {
    let device = connectDevice(stack, 'healthy');
    const closed = await openDemoCase(stack, 'The internet was down');
    expect((await closed.handle.result()).status).toBe('resolved');
    device.stop();
    await eventually(
      async () =>
        (await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean())?.status ===
        'offline',
      { what: 'the box to be offline' },
    );
    // The box's own case is open (waiting for it) when the customer says the old one is broken.
    const open = await openDemoCase(stack, 'The internet is down');
    await waitForStatus(open.handle, 'diagnosing');
    const res = await report(closed.caseId, { words: 'Still down in the back office' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ caseId: open.caseId, followUpOf: closed.caseId });
    const joined = await eventually(
      async () => {
        const state = await stateOf(open.handle);
        return state.assignedOperator ? state : undefined;
      },
      { what: 'the open case to take the person' },
    );
    expect(joined.followUpOf).toBe(closed.caseId);
    expect(await Promise.all((joined.reports ?? []).map((r) => unseal(r.words)))).toEqual([
      'The internet is down',
      'Still down in the back office',
    ]);
    device = connectDevice(stack, 'healthy');
    try {
      // Its checks pass once the box is back, and still a person has it.
      expect((await open.handle.result()).status).toBe('escalated');
    } finally {
      device.stop();
    }
  });

  it('is refused for a case that is not the caller’s, or unknown', async () => {
    expect((await report('no-such-case', {})).status).toBe(404);
  });
});
