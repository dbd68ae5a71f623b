import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { NotificationEvent } from '../contracts/notifications';
import { notificationWorkflowId } from '../workflows/messages';

// The one way anything outside a workflow raises a notification: a `notifyPeople`
// workflow per event, whose id is the event's key, so an event raised twice (two API
// instances, a sweep run again) is notified once.

export { notificationWorkflowId };

export async function notify(
  client: Client,
  taskQueue: string,
  event: NotificationEvent,
): Promise<void> {
  const checked = NotificationEvent.parse(event);
  try {
    await client.workflow.start('notifyPeople', {
      taskQueue,
      workflowId: notificationWorkflowId(checked.key),
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [checked],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return;
    throw err;
  }
}
