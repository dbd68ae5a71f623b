import { randomUUID } from 'node:crypto';
import type { NotificationEvent } from '../../contracts/notifications';
import { notify } from '../../notifier/notify';
import { eventually, startTestStack, type TestStack } from '../support/stack';
import { emailsTo } from './support';

// The technician phase's events through the real notifier (the notifyPeople workflow, the
// PagerDuty stand-in, the SMTP sink): a missed deadline opens an incident of its own per
// case and kind, told to operators only; a case closed as not fixable from here resolves the
// case's incidents but not those of the box's other cases, and asks its customer how we did.

describe('the notifier in the technician phase', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('tech-notify', { worker: true, notifications: {} });
  });
  afterAll(() => stack?.stop());

  const incident = (key: string) => stack.notifier!.pagerDuty.incidents.get(key)?.status;

  async function raise(
    type: NotificationEvent['type'],
    caseId: string,
    facts: NotificationEvent['facts'] = {},
  ) {
    await notify(stack.client, stack.taskQueue, {
      type,
      key: `${caseId}:${type}:${facts.slaKind ?? ''}`,
      at: new Date().toISOString(),
      customerId: stack.demo.customer.id,
      deviceId: stack.demo.device.deviceId,
      caseId,
      facts,
    });
  }

  async function until(key: string, status: string) {
    await eventually(async () => incident(key) === status, {
      what: `incident ${key} ${status}`,
    });
  }

  it('missed deadlines trigger their own incidents; not fixable resolves that case’s alone', async () => {
    const caseId = randomUUID();
    // Another case of the same box, handed over too: its incident stays open.
    const otherCase = randomUUID();
    await raise('case_escalated', otherCase);
    await until(`zen-case-${otherCase}`, 'triggered');
    await raise('case_escalated', caseId);
    await until(`zen-case-${caseId}`, 'triggered');
    await raise('sla_breached', caseId, { slaKind: 'first_response' });
    await until(`zen-sla-first_response-${caseId}`, 'triggered');
    await raise('sla_breached', caseId, { slaKind: 'resolution' });
    await until(`zen-sla-resolution-${caseId}`, 'triggered');
    // Operators hear of a missed deadline; the customer does not.
    await eventually(
      async () =>
        emailsTo(stack.notifier!, 'oncall@zen-support.example', 'Service level missed').length ===
        2,
      { what: 'the operators’ emails of the missed deadlines' },
    );
    expect(emailsTo(stack.notifier!, stack.demo.customer.email, 'Service level')).toEqual([]);

    await raise('case_not_fixable_remotely', caseId, {
      message: 'The line outside is cut: the provider must repair it.',
      askRating: true,
    });
    for (const key of [
      `zen-case-${caseId}`,
      `zen-sla-first_response-${caseId}`,
      `zen-sla-resolution-${caseId}`,
    ]) {
      await until(key, 'resolved');
    }
    // The box's other case is not over.
    expect(incident(`zen-case-${otherCase}`)).toBe('triggered');
    const [mail] = await eventually(
      async () => {
        const found = emailsTo(stack.notifier!, stack.demo.customer.email, 'How did we do?');
        return found.length > 0 && found;
      },
      { what: 'the not-fixable email with its rating links' },
    );
    expect(mail).toContain('The line outside is cut');
    expect(mail!.match(/^\d \([a-z ]+\): http:\/\/portal\.test\/rate\/\S+$/gm)).toHaveLength(5);
  });
});
