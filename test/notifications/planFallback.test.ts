import { activityInfo } from '@temporalio/activity';
import type { NotificationEvent } from '../../contracts/notifications';
import { notificationWorkflowId } from '../../workflows/messages';
import type { SimulatedAgent } from '../../agent/simulatedAgent';
import { approve, connectDevice, openDemoCase, waitForStatus } from '../support/cases';
import { eventually, startTestStack, startWorkerWith, type TestStack } from '../support/stack';
import { smsTo } from './support';

// A case plans each event's notifications itself (workflows/notifications.ts). When that
// plan keeps failing, the case does not wait for it: the notifyPeople child plans the event
// again, for as long as it takes, and the customer is still told.

describe('a case whose notification plan keeps failing', () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> } | undefined;
  let device: SimulatedAgent | undefined;
  const refused: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack('plan-fallback', {
      worker: false,
      notifications: { retrySeconds: 3 },
      caseSettings: { approvalTimeoutMs: 60_000, approvalGraceMs: 60_000 },
    });
    worker = await startWorkerWith(stack, (activities) => ({
      // Refused whenever the case itself asks; the child's plan goes through.
      async planNotifications(event: NotificationEvent) {
        if (activityInfo().workflowType === 'supportCase') {
          refused.push(event.type);
          throw new Error('The notification settings could not be read');
        }
        return activities.planNotifications(event);
      },
    }));
  });
  afterAll(async () => {
    device?.stop();
    await worker?.stop();
    await stack?.stop();
  });

  it('goes on, and the child that plans the event again tells the customer', async () => {
    device = connectDevice(stack, 'gateway-unreachable');
    const { caseId, handle } = await openDemoCase(stack);
    const waiting = await waitForStatus(handle, 'awaiting_approval');
    const link = `http://portal.test/cases/${caseId}`;
    const phone = stack.demo.customer.phone;
    await eventually(async () => smsTo(stack.notifier!, phone, link).length === 1, {
      what: 'the approval SMS',
    });
    // Three tries by the case, then the child with the event alone.
    expect(refused).toEqual(['approval_waiting', 'approval_waiting', 'approval_waiting']);
    const child = stack.client.workflow.getHandle(
      notificationWorkflowId(`${caseId}:approval:${waiting.proposal!.actionId}`),
    );
    const { events } = await child.fetchHistory();
    const started = events![0]!.workflowExecutionStartedEventAttributes!;
    expect(started.input?.payloads).toHaveLength(1);
    expect(
      events!
        .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
        .filter(Boolean)[0],
    ).toBe('planNotifications');

    expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);
    expect((await handle.result()).status).toBe('resolved');
    await eventually(
      async () => smsTo(stack.notifier!, phone, 'your network problem is fixed').length === 1,
      { what: 'the resolved SMS' },
    );
  }, 60_000);
});
