import { proxyActivities } from '@temporalio/workflow';
import type { RetentionActivities } from '../activities/retention';

// Started once a day by a Temporal Schedule (workers/schedules.ts): each kind of data loses
// what is past its age (config/ retention), one activity per kind, so the Temporal UI shows
// each kind's counts as that activity's result. A kind that fails does not stop the others;
// whatever is left is the next day's.

const activities = proxyActivities<RetentionActivities>({
  // Each activity stops after its bounded number of batches; the heartbeat shows its progress.
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '5 minutes',
  retry: { maximumAttempts: 3, initialInterval: '1 minute' },
});

export const retentionKinds = [
  'expireClosedCases',
  'expireHealthHistory',
  'expireWebhookEvents',
  'expireSignIns',
  'expireCodes',
] as const;

export type RetentionResult = Partial<
  Record<(typeof retentionKinds)[number], Record<string, number> | { failed: string }>
>;

export async function retention(): Promise<RetentionResult> {
  const result: RetentionResult = {};
  // One kind at a time: the database keeps serving the product while rows go.
  for (const kind of retentionKinds) {
    try {
      result[kind] = await activities[kind]();
    } catch (err) {
      result[kind] = { failed: err instanceof Error ? err.message : String(err) };
    }
  }
  return result;
}
