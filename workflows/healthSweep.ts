import { proxyActivities } from '@temporalio/workflow';
import type { HealthSweepActivities } from '../activities/healthSweep';

// Started by Temporal Schedules (workers/schedules.ts), one run at a time: no timer per box
// in any API process, and however many API instances and workers run, one sweep.

const { noticeOfflineBoxes } = proxyActivities<HealthSweepActivities>({
  // Well inside the minute between runs; a run that fails is the next run's to catch up.
  startToCloseTimeout: '50 seconds',
  retry: { maximumAttempts: 2 },
});

const { compactHealthHistory } = proxyActivities<HealthSweepActivities>({
  // Thousands of boxes' buckets, an hour's worth per hour; six hours at most per run.
  startToCloseTimeout: '20 minutes',
  retry: { maximumAttempts: 2 },
});

/** Every minute: boxes silent for too long are noticed offline. */
export async function offlineSweep(): Promise<{ noticed: number }> {
  return noticeOfflineBoxes();
}

/** Every hour: minutes older than 48 hours become hours; hours older than a year go. */
export async function healthCompaction(): Promise<{ hours: number; buckets: number }> {
  const { hours, buckets } = await compactHealthHistory();
  return { hours, buckets };
}
