import { ActivityFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DeliveryJob, PlannedNotifications } from '../activities/notifications';
import type { NotificationEvent } from '../contracts/notifications';

// One event, told to everyone who should hear of it (notifier/plan.ts), each delivery in an
// activity of its own, retried with backoff for a bounded time. Quiet hours wait in a durable
// timer. A delivery that keeps failing is recorded and reported; it never fails the workflow,
// and nothing waits for this workflow (the case starts it and goes on).

const { planNotifications, reportUndelivered } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '10 seconds' },
});

export interface NotifyOutcome {
  key: string;
  channel: DeliveryJob['channel'];
  recipient: string;
  outcome: 'sent' | 'unconfirmed' | 'failed';
}

/** `planned`: a case planned the event already (workflows/notifications.ts). */
export async function notifyPeople(
  event: NotificationEvent,
  planned?: PlannedNotifications,
): Promise<NotifyOutcome[]> {
  const plan = planned ?? (await planNotifications(event));
  const { deliverNotification } = proxyActivities<Activities>({
    // A send takes seconds; a worker that dies mid-send is noticed after this.
    startToCloseTimeout: '20 seconds',
    scheduleToCloseTimeout: plan.retry.forMs,
    retry: {
      initialInterval: plan.retry.firstMs,
      backoffCoefficient: 2,
      maximumInterval: Math.max(plan.retry.firstMs, Math.min(10 * 60_000, plan.retry.forMs / 4)),
    },
  });

  async function deliver(job: DeliveryJob): Promise<NotifyOutcome> {
    const told = { key: job.key, channel: job.channel, recipient: job.recipient };
    let outcome: NotifyOutcome['outcome'];
    let error = 'The worker stopped during the send';
    try {
      outcome = await deliverNotification(job);
    } catch (err) {
      outcome = 'failed';
      error = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
    }
    if (outcome !== 'sent') {
      const report = await reportUndelivered({ job, outcome, error });
      // The report to operators is best effort: its own failure is recorded, not reported.
      if (report) await deliverNotification(report).catch(() => undefined);
    }
    return { ...told, outcome };
  }

  const outcomes = await Promise.all(plan.now.map(deliver));
  if (plan.later) {
    await sleep(Math.max(0, plan.later.until - Date.now()), {
      summary: 'Wait for the end of the quiet hours',
    });
    outcomes.push(...(await Promise.all(plan.later.jobs.map(deliver))));
  }
  return outcomes;
}
