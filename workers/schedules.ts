import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

// The Temporal Schedules the worker makes sure of at start: the offline sweep every minute,
// the history's compaction every hour, the monthly reports and the daily retention run.
// Creating one that exists changes nothing, so every worker (and a restart) may ask; overlap
// SKIP keeps one run of each at a time.

export const healthScheduleIds = {
  offlineSweep: 'health-offline-sweep',
  compaction: 'health-compaction',
} as const;

export async function ensureHealthSchedules(
  client: Client,
  taskQueue: string,
  ids: { offlineSweep: string; compaction: string } = healthScheduleIds,
): Promise<void> {
  const schedules = [
    { scheduleId: ids.offlineSweep, workflowType: 'offlineSweep', every: '1 minute' },
    // Ten minutes past the hour: the hour that just passed 48 hours of age is ready.
    {
      scheduleId: ids.compaction,
      workflowType: 'healthCompaction',
      every: '1 hour',
      offset: '10 minutes',
    },
  ];
  for (const { scheduleId, workflowType, every, offset } of schedules) {
    try {
      await client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every, ...(offset && { offset }) }] },
        action: {
          type: 'startWorkflow',
          workflowType,
          taskQueue,
          workflowId: `${scheduleId}-run`,
          workflowRunTimeout: every === '1 minute' ? '55 seconds' : '50 minutes',
        },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
      });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }
}

export const reportScheduleId = 'monthly-reports';

/**
 * The monthly reports: on the 1st at 06:00 UTC, for the month before. A run that was missed
 * (no worker, no server) is made up within the day.
 */
export async function ensureReportSchedule(
  client: Client,
  taskQueue: string,
  scheduleId: string = reportScheduleId,
): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId,
      spec: {
        calendars: [{ dayOfMonth: 1, hour: 6, minute: 0, comment: 'The month before' }],
        timezone: 'UTC',
      },
      action: {
        type: 'startWorkflow',
        workflowType: 'monthlyReports',
        taskQueue,
        workflowId: `${scheduleId}-run`,
        args: [],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}

export const retentionScheduleId = 'daily-retention';

/**
 * The daily retention run (workflows/retention.ts): at 03:30 UTC, when the offices the boxes
 * serve are quiet. A missed day is made up within the day; the next day's run catches up
 * anyway, as each run deletes everything past its age.
 */
export async function ensureRetentionSchedule(
  client: Client,
  taskQueue: string,
  scheduleId: string = retentionScheduleId,
): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId,
      spec: {
        calendars: [{ hour: 3, minute: 30, comment: 'Every day, when offices are quiet' }],
        timezone: 'UTC',
      },
      action: {
        type: 'startWorkflow',
        workflowType: 'retention',
        taskQueue,
        workflowId: `${scheduleId}-run`,
        args: [],
        workflowRunTimeout: '12 hours',
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
