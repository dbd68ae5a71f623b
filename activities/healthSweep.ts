import { Context } from '@temporalio/activity';
import { compactHistory, type CompactionResult } from '../api/monitoring/compaction';
import { noticeSilentBoxes, type OfflineSettings } from '../api/monitoring/offline';

// The health schedules' work (workflows/healthSweep.ts): boxes silent too long are noticed
// offline and notified, and the history's old minutes are compacted. Notifications start
// on this worker's task queue, with the worker's own Temporal client.

export function createHealthSweepActivities(settings: OfflineSettings) {
  return {
    async noticeOfflineBoxes(): Promise<{ noticed: number }> {
      const { client, info } = Context.current();
      return noticeSilentBoxes({ client, taskQueue: info.taskQueue }, settings);
    },

    async compactHealthHistory(): Promise<CompactionResult> {
      return compactHistory();
    },
  };
}

export type HealthSweepActivities = ReturnType<typeof createHealthSweepActivities>;
