import { randomUUID } from 'node:crypto';
import { Customer } from '../../store/models';
import { MonthlyReportSent } from '../../store/monthlyReports';
import { saveNotificationSettings } from '../../store/notificationSettings';
import type { MonthlyReportsInput, MonthlyReportsResult } from '../../workflows/monthlyReports';
import { emails } from '../notifications/support';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';
import { startTestStack, type TestStack } from '../support/stack';

// The month's run sends every active customer's report through the SMTP sink: one email
// per customer and month, whether the run is started again or twice at once; a server
// that refuses is tried again, and a report it never takes is recorded and reported.

/** YYYY-MM of the month `back` months before this one, and its name. */
function monthBack(back: number) {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  return {
    key: start.toISOString().slice(0, 7),
    label: start.toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }),
  };
}

describe('sending the monthly reports', () => {
  let stack: TestStack;
  let other: OtherTenant;
  const contacts = ['owner@bayside-dental.example', 'office@bayside-dental.example'];

  beforeAll(async () => {
    stack = await startTestStack('monthly-send', { notifications: { retrySeconds: 3 } });
    other = await seedOtherTenant();
    // Two contacts by email, one by text message only: the report goes to the two.
    await saveNotificationSettings(stack.demo.customer.id, {
      contacts: [
        { name: 'Owner', email: contacts[0], channels: ['email'], events: ['case_resolved'] },
        { name: 'Office', email: contacts[1], channels: ['email', 'sms'], events: [] },
        { name: 'Tech', phone: '+15551110000', channels: ['sms'], events: ['case_resolved'] },
      ],
    });
    // A customer who left gets nothing.
    await Customer.create({
      businessName: 'Closed Shop',
      primaryPhone: '+15550009999',
      email: 'owner@closed-shop.example',
      subscriptionStatus: 'cancelled',
    });
  });
  afterAll(() => stack.stop());

  async function run(input: MonthlyReportsInput) {
    return stack.client.workflow.start('monthlyReports', {
      taskQueue: stack.taskQueue,
      workflowId: `monthly-reports-test-${randomUUID()}`,
      args: [input],
    });
  }
  const result = async (input: MonthlyReportsInput): Promise<MonthlyReportsResult> =>
    (await run(input)).result();

  /** The reports of `label` in the sink, by the business they are for. */
  const reports = (label: string) =>
    emails(stack.notifier!).filter((m) => m.includes(`your network in ${label}`));
  const headerOf = (mail: string, name: string) =>
    new RegExp(`^${name}: (.*)$`, 'm').exec(mail)?.[1];

  it('sends each active customer one report, to their email contacts or the account', async () => {
    const month = monthBack(2);
    const done = await result({ month: month.key });
    expect(done).toEqual({ month: month.key, outcomes: { sent: 2 }, failed: [] });

    const sent = reports(month.label);
    expect(sent).toHaveLength(2);
    const bayside = sent.find((m) => m.includes('Subject: Bayside Dental'))!;
    expect(headerOf(bayside, 'To')).toBe(contacts.join(', '));
    expect(bayside).toContain('Content-Type: text/html');
    expect(bayside).toContain('Content-Type: text/plain');
    const harbor = sent.find((m) => m.includes('Subject: Harbor Bakery'))!;
    expect(headerOf(harbor, 'To')).toBe(other.email);
    expect(emails(stack.notifier!).some((m) => m.includes('closed-shop'))).toBe(false);

    const records = await MonthlyReportSent.find({ month: month.key }).lean();
    expect(records.map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('sends none the second time, nor when two runs of a month start at once', async () => {
    const month = monthBack(2);
    const again = await result({ month: month.key });
    expect(again.outcomes).toEqual({ 'already-sent': 2 });
    expect(reports(month.label)).toHaveLength(2);

    const other = monthBack(3);
    const [a, b] = await Promise.all([run({ month: other.key }), run({ month: other.key })]);
    const [ra, rb] = await Promise.all([a.result(), b.result()]);
    expect(reports(other.label)).toHaveLength(2);
    expect((ra.outcomes.sent ?? 0) + (rb.outcomes.sent ?? 0)).toBe(2);
    expect(ra.failed).toEqual([]);
    expect(rb.failed).toEqual([]);
  });

  it('tries a refused send again and sends it once the server takes mail', async () => {
    const month = monthBack(4);
    stack.notifier!.smtp.refuse(true);
    const handle = await run({
      month: month.key,
      sendRetry: { maximumAttempts: 6, initialIntervalMs: 1000 },
    });
    try {
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      stack.notifier!.smtp.refuse(false);
    }
    expect((await handle.result()).outcomes).toEqual({ sent: 2 });
    expect(reports(month.label)).toHaveLength(2);
    expect(Math.max(...(await sendAttempts(handle.workflowId)))).toBeGreaterThan(1);
  });

  it('records and reports a report the server never takes; a later run sends it', async () => {
    const month = monthBack(5);
    stack.notifier!.smtp.refuse(true);
    let done: MonthlyReportsResult;
    try {
      const handle = await run({
        month: month.key,
        sendRetry: { maximumAttempts: 3, initialIntervalMs: 200 },
      });
      done = await handle.result();
      expect(await sendAttempts(handle.workflowId)).toEqual([3, 3]);
    } finally {
      stack.notifier!.smtp.refuse(false);
    }
    expect(done.outcomes).toEqual({ failed: 2 });
    expect(done.failed.map((f) => f.customerId).sort()).toEqual(
      [stack.demo.customer.id, other.customerId].sort(),
    );
    expect(done.failed[0]!.error).toMatch(/refused/);
    expect(reports(month.label)).toHaveLength(0);
    const records = await MonthlyReportSent.find({ month: month.key }).lean();
    expect(records.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(records[0]!.error).toMatch(/refused/);

    expect((await result({ month: month.key })).outcomes).toEqual({ sent: 2 });
    expect(reports(month.label)).toHaveLength(2);
  });

  /** The attempt each send of the run ended on, from its history. */
  async function sendAttempts(workflowId: string): Promise<number[]> {
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = new Map<string, string>();
    const attempts: number[] = [];
    for (const event of history.events ?? []) {
      const s = event.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(event.eventId), s.activityType?.name ?? '');
      const started = event.activityTaskStartedEventAttributes;
      if (started && scheduled.get(String(started.scheduledEventId)) === 'sendMonthlyReport') {
        attempts.push(started.attempt ?? 1);
      }
    }
    return attempts;
  }
});
