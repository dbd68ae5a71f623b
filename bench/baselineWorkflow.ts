import { condition, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

// The bench's baseline: a workflow that makes the same round trips as a
// support case (its activities, its settle timer, the approval update) in the
// same order, with activities that do nothing. What a case costs beyond this
// is the product's own work.

export type BaselineStep = 'activity' | 'timer' | 'approval';

export interface BaselinePlan {
  steps: BaselineStep[];
  timerMs: number;
}

/** Sent once the workflow is started, as the customer's approval is; answered when it is used. */
export const baselineApproveUpdate = defineUpdate<boolean>('approve');

const { nothing } = proxyActivities<{ nothing(): Promise<void> }>({
  startToCloseTimeout: '10 seconds',
});

export async function baselineCase(plan: BaselinePlan): Promise<void> {
  let waiting = false;
  let approved = false;
  setHandler(baselineApproveUpdate, async () => {
    await condition(() => waiting);
    approved = true;
    return true;
  });
  for (const step of plan.steps) {
    if (step === 'activity') await nothing();
    else if (step === 'timer') await sleep(plan.timerMs);
    else {
      waiting = true;
      // With a timeout, as the case's approval wait has: its timer is started and cancelled.
      await condition(() => approved, '1 hour');
      waiting = false;
    }
  }
}
