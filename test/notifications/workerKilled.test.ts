import type { NotificationEvent } from '../../contracts/notifications';
import { notify } from '../../notifier/notify';
import { NotificationDoc } from '../../notifier/records';
import { saveNotificationSettings } from '../../store/notificationSettings';
import { eventually, startTestStack, type TestStack } from '../support/stack';
import { killProcess, startWorkerProcess, type WorkerProcess } from '../support/workerProcess';
import { smsTo } from './support';

// The worker is killed after Telnyx took the SMS and before the worker heard back. Its fate is
// unknown to the next attempt, which must not send it again: exactly one message goes out,
// and the delivery is recorded as unconfirmed and reported to operators.

describe('a worker killed between a send and its completion', () => {
  let stack: TestStack;
  let worker: WorkerProcess | undefined;
  let killed: Promise<void> | undefined;
  beforeAll(async () => {
    stack = await startTestStack('notify-kill', {
      worker: false,
      notifications: {
        retrySeconds: 120,
        // The stand-in has the message: kill the worker before it gets the answer.
        onSms: () => {
          if (!killed && worker) killed = killProcess(worker.child);
        },
      },
    });
  });
  afterAll(async () => {
    const running = worker && worker.child.exitCode === null && worker.child.signalCode === null;
    if (running) await killProcess(worker!.child);
    await stack.stop();
  });

  it('sends exactly one message', async () => {
    const { id: customerId, phone } = stack.demo.customer;
    await saveNotificationSettings(customerId, {
      contacts: [{ name: 'Front desk', phone, channels: ['sms'], events: ['approval_waiting'] }],
    });
    worker = await startWorkerProcess(stack, stack.notifier!.env);
    await worker.ready;
    const event: NotificationEvent = {
      type: 'approval_waiting',
      key: 'kill-test:approval',
      at: new Date().toISOString(),
      customerId,
      deviceId: stack.demo.device.deviceId,
      facts: { fixTitle: 'Restart the router' },
    };
    await notify(stack.client, stack.taskQueue, event);
    await eventually(async () => killed !== undefined, { what: 'the kill' });
    await killed;

    // A new worker takes over; the delivery's attempt times out and is tried again.
    worker = await startWorkerProcess(stack, stack.notifier!.env);
    await worker.ready;
    const outcomes = await stack.client.workflow.getHandle('notify:kill-test:approval').result();
    expect(outcomes).toEqual([expect.objectContaining({ channel: 'sms', outcome: 'unconfirmed' })]);
    expect(smsTo(stack.notifier!, phone, 'Restart the router')).toHaveLength(1);
    const doc = await NotificationDoc.findOne({ eventKey: 'kill-test:approval' }).lean();
    expect(doc).toMatchObject({ status: 'unconfirmed', attempts: 1 });
    await eventually(
      async () =>
        stack.notifier!.slack.messages.some((m) => m.text.includes('may not have arrived: sms')),
      { what: 'the report to operators' },
    );
    expect(smsTo(stack.notifier!, phone, 'Restart the router')).toHaveLength(1);
  }, 120_000);
});
