import type { NotificationEvent } from '../../contracts/notifications';
import { NotificationDoc } from '../../notifier/records';
import { notify } from '../../notifier/notify';
import { saveNotificationSettings } from '../../store/notificationSettings';
import { approve, connectDevice, openDemoCase, waitForStatus } from '../support/cases';
import { eventually, startTestStack, type TestStack } from '../support/stack';
import { smsTo } from './support';

// The approval reminder is really sent; quiet hours hold back what can wait.

describe('reminders and quiet hours', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('remind-quiet', {
      // Reminded after a second and a half; escalated only much later.
      caseSettings: { approvalTimeoutMs: 1500, approvalGraceMs: 60_000 },
      notifications: {},
    });
  });
  afterAll(() => stack.stop());

  const phone = () => stack.demo.customer.phone;

  it('sends the reminder when nobody answered in time', async () => {
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const link = `http://portal.test/cases/${caseId}`;
      const [reminder] = await eventually(
        async () => {
          const found = smsTo(stack.notifier!, phone(), 'reminder').filter((m) =>
            m.text.includes(link),
          );
          return found.length > 0 && found;
        },
        { what: 'the reminder SMS' },
      );
      expect(reminder!.text).toContain('press 1');
      expect(smsTo(stack.notifier!, phone(), link)).toHaveLength(2);
      const waiting = await waitForStatus(handle, 'awaiting_approval');
      expect(waiting.proposal!.reminded).toBe(true);
      await approve(stack, caseId, waiting.proposal!.actionId);
      expect((await handle.result()).status).toBe('resolved');
    } finally {
      device.stop();
    }
  });

  it('defers a non-urgent event to the end of the quiet hours; an urgent one goes through', async () => {
    // A quiet window that ends at the next minute, entered a few seconds before it ends.
    await eventually(
      async () => {
        const s = new Date().getUTCSeconds();
        return s >= 46 && s < 52;
      },
      { timeoutMs: 70_000, what: 'the right second' },
    );
    const now = new Date();
    const clock = (d: Date) =>
      `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const end = new Date(now.getTime() + 60_000);
    const quietEnd = Date.UTC(
      end.getUTCFullYear(),
      end.getUTCMonth(),
      end.getUTCDate(),
      end.getUTCHours(),
      end.getUTCMinutes(),
    );
    const { id: customerId, phone: number } = stack.demo.customer;
    await saveNotificationSettings(customerId, {
      contacts: [
        {
          name: 'Front desk',
          phone: number,
          channels: ['sms'],
          events: ['box_online', 'approval_waiting'],
        },
      ],
      quietHours: { start: clock(now), end: clock(end), timeZone: 'UTC' },
    });
    const event = (type: NotificationEvent['type'], key: string): NotificationEvent => ({
      type,
      key: `quiet-test:${key}`,
      at: now.toISOString(),
      customerId,
      deviceId: stack.demo.device.deviceId,
      facts: {},
    });
    await notify(stack.client, stack.taskQueue, event('box_online', 'back'));
    await notify(stack.client, stack.taskQueue, event('approval_waiting', 'urgent'));
    // Raised twice: still once.
    await notify(stack.client, stack.taskQueue, event('box_online', 'back'));

    await eventually(
      async () => smsTo(stack.notifier!, number, 'waits for your approval').length > 0,
      {
        what: 'the urgent SMS',
      },
    );
    expect(Date.now()).toBeLessThan(quietEnd);
    expect(smsTo(stack.notifier!, number, 'is back online')).toHaveLength(0);
    const held = await eventually(
      () => NotificationDoc.findOne({ eventKey: 'quiet-test:back', channel: 'sms' }).lean(),
      { what: 'the deferred delivery' },
    );
    expect(held).toMatchObject({ status: 'deferred', deferredUntil: new Date(quietEnd) });

    const [back] = await eventually(
      async () => {
        const found = smsTo(stack.notifier!, number, 'is back online');
        return found.length > 0 && found;
      },
      { what: 'the deferred SMS', timeoutMs: 30_000 },
    );
    expect(back!.at).toBeGreaterThanOrEqual(quietEnd);
    await new Promise((r) => setTimeout(r, 1000));
    expect(smsTo(stack.notifier!, number, 'is back online')).toHaveLength(1);
    // Up to 70 s for the right second of the minute, then up to a minute more.
  }, 150_000);
});
