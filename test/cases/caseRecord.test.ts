import { randomUUID } from 'node:crypto';
import { channelOf } from '../../api/openCase';
import { createPersonWithToken } from '../support/people';
import { Case } from '../../store/models';
import { approve, connectDevice, openDemoCase, saveHistory, waitForStatus } from '../support/cases';
import { call, startTestStack, type TestStack } from '../support/stack';
import { isSealed, unseal } from '../../privacy/seal';

// What a case records for a dispute: every reporter's words, the real channel, who did
// each step by name, the approval note, plain progress words, and one operator per case.

describe('the record of a case', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('case-record', {
      caseSettings: { approvalTimeoutMs: 60_000, approvalGraceMs: 60_000 },
    });
  });
  afterAll(() => stack.stop());

  it('the channel follows from how the request was authenticated', () => {
    expect(channelOf({ id: 'u', role: 'customer', customerId: 'c', sessionId: 's' })).toBe(
      'portal',
    );
    expect(channelOf({ id: 'u', role: 'customer', customerId: 'c' })).toBe('api');
    expect(channelOf({ id: 'u', role: 'operator' })).toBe('api');
    expect(channelOf({ id: 'd', role: 'device', deviceId: 'pi' })).toBe('agent');
  });

  it('keeps every reporter’s words, names who did what, and shows the approval note', async () => {
    const device = connectDevice(stack, 'dns-failure');
    try {
      const { caseId, handle } = await openDemoCase(stack, 'The internet is down at reception');
      // A second person reports the same box while the case is open: it joins the case.
      const second = await call(`${stack.apiUrl}/api/cases`, stack.demo.customer.token, {
        body: {
          deviceId: stack.demo.device.deviceId,
          description: 'Email stopped in the back office',
        },
      });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ caseId, joined: true });

      const waiting = await waitForStatus(handle, 'awaiting_approval');
      // The workflow carries the reporters' words sealed (privacy/); opened, they are theirs.
      expect(await Promise.all((waiting.reports ?? []).map((r) => unseal(r.words)))).toEqual([
        'The internet is down at reception',
        'Email stopped in the back office',
      ]);
      // Plain words for people; the check ids stay in the details.
      const texts = waiting.timeline.map((e) => e.text).join('\n');
      expect(texts).toContain(
        'Checking your network (connection, addresses, router, name lookups and internet)',
      );
      expect(texts).toContain('Found a problem with name lookups');
      expect(texts).not.toMatch(/Round \d|ip_config|\bdns\b/);
      expect(texts).toContain('Case opened through the API');

      const res = await approve(stack, caseId, waiting.proposal!.actionId, {
        note: 'Go ahead, nobody is on a call',
      });
      expect(res.status).toBe(200);
      // How the fix ends is the diagnosis tests' part; this one reads the record.
      await handle.result();
      await saveHistory(handle, 'second-report-joined');

      // The case document: the real channel and both reports.
      const doc = await Case.findById(caseId).lean();
      expect(doc!.channel).toBe('api');
      const stored = doc!.reports as { words: string }[];
      expect(stored.every((r) => isSealed(r.words))).toBe(true);
      expect(await Promise.all(stored.map((r) => unseal(r.words)))).toEqual([
        'The internet is down at reception',
        'Email stopped in the back office',
      ]);

      const view = await call(`${stack.apiUrl}/api/cases/${caseId}`, stack.demo.customer.token);
      expect(view.body.reports).toEqual([
        expect.objectContaining({
          words: 'The internet is down at reception',
          who: stack.demo.customer.email,
          channel: 'api',
        }),
        expect.objectContaining({
          words: 'Email stopped in the back office',
          who: stack.demo.customer.email,
        }),
      ]);
      const timeline = view.body.live.timeline as { text: string; who: string; note?: string }[];
      expect(timeline.find((e) => e.text.startsWith('Joined through'))).toMatchObject({
        note: 'Email stopped in the back office',
        who: stack.demo.customer.email,
      });
      expect(timeline.find((e) => e.text.startsWith('Approved'))).toMatchObject({
        text: 'Approved through the API',
        note: 'Go ahead, nobody is on a call',
        who: stack.demo.customer.email,
      });
      expect(timeline.find((e) => e.text.startsWith('Checking'))!.who).toBe('Zen & Zen service');

      const trail = await call(
        `${stack.apiUrl}/api/cases/${caseId}/audit`,
        stack.demo.customer.token,
      );
      const approved = trail.body.entries.find(
        (e: { actionType: string }) => e.actionType === 'fix_approved',
      );
      expect(approved).toMatchObject({
        who: stack.demo.customer.email,
        channel: 'api',
        actionDetails: { note: 'Go ahead, nobody is on a call' },
      });
      const requested = trail.body.entries.find(
        (e: { actionType: string }) => e.actionType === 'diagnostics_requested',
      );
      expect(requested).toMatchObject({
        who: 'Zen & Zen service',
        actionDetails: { round: 1, checks: ['link', 'ip_config', 'gateway', 'dns', 'internet'] },
      });
    } finally {
      device.stop();
    }
  });

  it('one operator takes a case over: the same one again is answered, another gets 409', async () => {
    const { token: other } = await createPersonWithToken({
      email: `second-operator-${randomUUID()}@zen-support.example`,
      name: 'Robin Second',
      role: 'operator',
    });
    // No box connected: the case stays open while the operators act.
    const { caseId, handle } = await openDemoCase(stack);
    const takeOver = (token: string) =>
      call(`${stack.apiUrl}/api/cases/${caseId}/take-over`, token, { body: {} });
    try {
      const first = await takeOver(stack.demo.operator.token);
      expect(first.status).toBe(200);
      const again = await takeOver(stack.demo.operator.token);
      expect(again).toEqual(first);
      const refused = await takeOver(other);
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatch(/Another operator/);

      // The customer sees a name, never the operator's id or address (this operator gave no
      // name: the role's).
      const view = await call(`${stack.apiUrl}/api/cases/${caseId}`, stack.demo.customer.token);
      const operatorId = first.body.assignedOperator as string;
      const entry = (view.body.live.timeline as { text: string; who: string }[]).find((e) =>
        e.text.includes('took the case over'),
      );
      expect(entry).toMatchObject({ who: 'Zen & Zen technician' });
      expect(entry!.text).not.toContain(operatorId);
      expect(view.body.assignedOperatorName).toBe('Zen & Zen technician');
      expect(JSON.stringify(view.body)).not.toContain(stack.demo.operator.email);
    } finally {
      await handle.terminate('test over');
    }
  });
});
