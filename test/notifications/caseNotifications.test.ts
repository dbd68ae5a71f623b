import { AuditEntry } from '../../store/models';
import { NotificationDoc } from '../../notifier/records';
import { approve, connectDevice, openDemoCase, saveHistory, waitForStatus } from '../support/cases';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';
import { emailsTo, smsTo } from './support';

// Whole cases through the real stack, telling people through the notifier's stand-ins: the
// Telnyx Messaging stand-in (through the real SDK), the SMTP sink, Slack and PagerDuty.

describe('a case tells people what happens', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('case-notify', {
      caseSettings: { approvalTimeoutMs: 60_000, approvalGraceMs: 60_000 },
      notifications: { retrySeconds: 3 },
    });
  });
  afterAll(() => stack.stop());

  const notifier = () => stack.notifier!;

  /** A demo case whose fix is approved through the API, run to its end: its id. */
  async function approvedCase(): Promise<string> {
    const { caseId, handle } = await openDemoCase(stack);
    const waiting = await waitForStatus(handle, 'awaiting_approval');
    expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);
    expect((await handle.result()).status).toBe('resolved');
    return caseId;
  }
  const phone = () => stack.demo.customer.phone;
  const email = () => stack.demo.customer.email;

  it('a fix waiting: SMS and email with the approval link; approved, resolved and told', async () => {
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval');
      const link = `http://portal.test/cases/${caseId}`;

      const [sms] = await eventually(
        async () => smsTo(notifier(), phone(), link).length > 0 && smsTo(notifier(), phone(), link),
        {
          what: 'the approval SMS',
        },
      );
      expect(sms!.text).toContain('waits for your approval');
      expect(sms!.text).toContain('call +15550000100 and press 1');
      expect(sms!.from).toBe('+15550000200');
      const [mail] = await eventually(
        async () => {
          const found = emailsTo(notifier(), email(), link);
          return found.length > 0 && found;
        },
        { what: 'the approval email' },
      );
      expect(mail).toContain('Subject: A fix for your network is waiting for your approval');

      expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);
      expect((await handle.result()).status).toBe('resolved');

      await eventually(
        async () => smsTo(notifier(), phone(), 'your network problem is fixed').length === 1,
        {
          what: 'the resolved SMS',
        },
      );
      await eventually(
        async () =>
          emailsTo(notifier(), email(), 'Subject: Your network problem is fixed').length === 1,
        {
          what: 'the resolved email',
        },
      );
      // Told once each, whatever else happened.
      expect(smsTo(notifier(), phone(), link)).toHaveLength(1);

      // The audit trail reads each delivery, marked as a notification, among the case's steps.
      const audit = await call(
        `${stack.apiUrl}/api/cases/${caseId}/audit`,
        stack.demo.customer.token,
      );
      expect(audit.status).toBe(200);
      expect(audit.body.verification.valid).toBe(true);
      const told = audit.body.entries.filter((e: { kind?: string }) => e.kind === 'notification');
      expect(told).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ channel: 'sms', outcome: 'sent', recipient: '+1******67' }),
          expect.objectContaining({ channel: 'email', outcome: 'sent' }),
        ]),
      );
      expect(JSON.stringify(told)).not.toContain(phone());
      const times = audit.body.entries.map((e: { executedAt: string }) => Date.parse(e.executedAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      await saveHistory(handle, 'notifies-people-planned-first');
    } finally {
      device.stop();
    }
  });

  it('escalated: PagerDuty is triggered, acknowledged on take-over, then resolved with the same key when a later case resolves', async () => {
    const declined = connectDevice(stack, 'gateway-unreachable');
    let dedupKey: string;
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval');
      await approve(stack, caseId, waiting.proposal!.actionId, {
        approved: false,
        note: 'not now',
      });
      expect((await handle.result()).status).toBe('escalated');
      dedupKey = `zen-case-${caseId}`;
      await eventually(
        async () => notifier().pagerDuty.incidents.get(dedupKey)?.status === 'triggered',
        {
          what: 'a PagerDuty trigger',
        },
      );
      await eventually(
        async () => smsTo(notifier(), phone(), 'a technician is taking over').length > 0,
        {
          what: 'the escalation SMS',
        },
      );
      await eventually(
        async () => notifier().slack.messages.some((m) => m.text.includes('technician')),
        {
          what: 'the escalation on Slack',
        },
      );
      // An operator takes the hand-over: the incident is acknowledged.
      const took = await call(
        `${stack.apiUrl}/api/cases/${caseId}/take-over`,
        stack.demo.operator.token,
        { body: {} },
      );
      expect(took).toMatchObject({ status: 200, body: { status: 'escalated' } });
      await eventually(
        async () => notifier().pagerDuty.incidents.get(dedupKey)?.status === 'acknowledged',
        { what: 'the PagerDuty acknowledge' },
      );
    } finally {
      declined.stop();
    }

    const again = connectDevice(stack, 'gateway-unreachable');
    try {
      const { caseId, handle } = await openDemoCase(stack, 'Still down');
      const waiting = await waitForStatus(handle, 'awaiting_approval');
      await approve(stack, caseId, waiting.proposal!.actionId);
      expect((await handle.result()).status).toBe('resolved');
      await eventually(
        async () => notifier().pagerDuty.incidents.get(dedupKey)?.status === 'resolved',
        {
          what: 'the PagerDuty resolve',
        },
      );
      const forIncident = notifier().pagerDuty.events.filter((e) => e.dedupKey === dedupKey);
      expect(forIncident.map((e) => e.action)).toEqual(['trigger', 'acknowledge', 'resolve']);
    } finally {
      again.stop();
    }
  });

  it('an SMTP server that refuses mail does not stop the case; the failure is recorded and reported', async () => {
    notifier().smtp.refuse(true);
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      const caseId = await approvedCase();
      // SMS still goes.
      await eventually(async () => smsTo(notifier(), phone(), `cases/${caseId}`).length === 1, {
        what: 'the approval SMS',
      });
      const failed = await eventually(
        async () => {
          const docs = await NotificationDoc.find({
            caseId,
            channel: 'email',
            status: 'failed',
          }).lean();
          return docs.length >= 2 && docs;
        },
        { what: 'the emails recorded as failed', timeoutMs: 40_000 },
      );
      expect(failed[0]!.error).toMatch(/refused/);
      await eventually(
        async () =>
          notifier().slack.messages.some((m) =>
            m.text.includes('Notification not delivered: email to o***@'),
          ),
        { what: 'the failure reported on Slack' },
      );
      const audit = await call(
        `${stack.apiUrl}/api/cases/${caseId}/audit`,
        stack.demo.operator.token,
      );
      expect(
        audit.body.entries.some(
          (e: { kind?: string; channel?: string; outcome?: string }) =>
            e.kind === 'notification' && e.channel === 'email' && e.outcome === 'failed',
        ),
      ).toBe(true);
      expect(await AuditEntry.countDocuments({ caseId, actionType: 'case_resolved' })).toBe(1);
    } finally {
      notifier().smtp.refuse(false);
      device.stop();
    }
  });

  it('an SMTP server slow to refuse: the delivery runs out of time, is recorded failed, and stays so when the refusal comes', async () => {
    // Longer than the delivery's time (3 s here): the try is still waiting when it is given up.
    notifier().smtp.refuse(true, { afterMs: 5000 });
    const refusedBefore = notifier().smtp.refusals();
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      const caseId = await approvedCase();
      const emails = () => NotificationDoc.find({ caseId, channel: 'email' }).lean();
      const failed = await eventually(
        async () => {
          const docs = await emails();
          return docs.length >= 2 && docs.every((d) => d.status === 'failed') && docs;
        },
        { what: 'the emails recorded as failed', timeoutMs: 40_000 },
      );
      await eventually(async () => notifier().smtp.refusals() - refusedBefore >= failed.length, {
        what: 'the late refusals',
        timeoutMs: 20_000,
      });
      // The refused tries have had time to answer their claims.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await emails()).map((d) => d.status)).toEqual(failed.map(() => 'failed'));
    } finally {
      notifier().smtp.refuse(false);
      device.stop();
    }
  });

  it('a delivery refused, then out of time on its next try: the record keeps the refusal beside the timeout', async () => {
    notifier().smtp.refuse(true);
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval');
      const approvalEmail = () =>
        NotificationDoc.findOne({ caseId, channel: 'email', eventType: 'approval_waiting' }).lean();
      // Once the first try was refused (and released), the next ones are slow to answer.
      const deadline = Date.now() + 20_000;
      while (!(await approvalEmail())?.error) {
        if (Date.now() > deadline) throw new Error('The first refusal was not recorded');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      notifier().smtp.refuse(true, { afterMs: 5000 });
      const failed = await eventually(
        async () => {
          const doc = await approvalEmail();
          return doc?.status === 'failed' && doc;
        },
        { what: 'the approval email recorded as failed', timeoutMs: 40_000 },
      );
      expect(failed.error).toMatch(/timeout.*\(the try before: .*Mailbox unavailable/i);
      expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);
      expect((await handle.result()).status).toBe('resolved');
    } finally {
      notifier().smtp.refuse(false);
      device.stop();
    }
  });
});
