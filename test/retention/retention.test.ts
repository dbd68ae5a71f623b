import { createRetentionActivities } from '../../activities/retention';
import { loadConfig } from '../../config';
import { namespaceRetentionDays } from '../../workers/namespaceRetention';
import { ensureRetentionSchedule, retentionScheduleId } from '../../workers/schedules';
import type { RetentionResult } from '../../workflows/retention';
import { temporalNamespace } from '../support/env';
import { startTestStack, type TestStack } from '../support/stack';
import { killProcess, startWorkerProcess, type WorkerProcess } from '../support/workerProcess';
import { remaining, seedRetentionRows, sortedKept } from './seed';

// Retention deletes what is due and nothing else: every kind is seeded with rows just past
// and just within its age (and open cases far older than any age), then the daily run goes.

const settings = loadConfig({}).retention;

describe('retention', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('retention');
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('deletes exactly the rows past their age, in batches, and counts them', async () => {
    const seeded = await seedRetentionRows('direct', settings);
    // Batches of two: three due cases take two batches, and every kind pages at least once.
    const activities = createRetentionActivities({ ...settings, batchSize: 2 });

    expect(await activities.expireClosedCases()).toEqual({
      cases: 3,
      auditEntries: 6,
      deviceCommands: 3,
      advisorCalls: 3,
      satisfaction: 3,
    });
    expect(await activities.expireHealthHistory()).toEqual({
      months: 1,
      outages: 1,
      monitorClaims: 1,
    });
    expect(await activities.expireWebhookEvents()).toEqual({ webhookEvents: 1 });
    expect(await activities.expireSignIns()).toEqual({ sessions: 1, throttles: 1 });
    expect(await activities.expireCodes()).toEqual({ oneTimeCodes: 1, enrollmentCodes: 1 });

    expect(await remaining(seeded)).toEqual(sortedKept(seeded));
    // A second run finds nothing more.
    expect(await activities.expireClosedCases()).toMatchObject({ cases: 0, auditEntries: 0 });
  });

  it('stops after its bounded number of batches and leaves the rest for the next day', async () => {
    const seeded = await seedRetentionRows('bounded', settings);
    const activities = createRetentionActivities({ ...settings, batchSize: 1, maxBatches: 2 });
    expect(await activities.expireClosedCases()).toMatchObject({ cases: 2, auditEntries: 4 });
    expect((await remaining(seeded)).cases).toHaveLength(seeded.kept.cases!.length + 1);
    expect(await activities.expireClosedCases()).toMatchObject({ cases: 1, auditEntries: 2 });
    expect((await remaining(seeded)).cases).toEqual([...seeded.kept.cases!].sort());
    // The other kinds, two rows a run at most, are done in one run each.
    await activities.expireHealthHistory();
    await activities.expireWebhookEvents();
    await activities.expireSignIns();
    await activities.expireCodes();
    expect(await remaining(seeded)).toEqual(sortedKept(seeded));
  });

  it("runs as the daily Schedule's workflow, each kind's counts in its result", async () => {
    const seeded = await seedRetentionRows('scheduled', settings);
    const scheduleId = `${retentionScheduleId}-${stack.taskQueue}`;
    await ensureRetentionSchedule(stack.client, stack.taskQueue, scheduleId);
    const schedule = stack.client.schedule.getHandle(scheduleId);
    try {
      await schedule.trigger();
      const workflowId = await waitFor(async () => {
        const { info } = await schedule.describe();
        const action = info.recentActions[0]?.action;
        return action?.type === 'startWorkflow' ? action.workflow.workflowId : undefined;
      });
      const result: RetentionResult = await stack.client.workflow.getHandle(workflowId).result();
      expect(result).toEqual({
        expireClosedCases: {
          cases: 3,
          auditEntries: 6,
          deviceCommands: 3,
          advisorCalls: 3,
          satisfaction: 3,
        },
        expireHealthHistory: { months: 1, outages: 1, monitorClaims: 1 },
        expireWebhookEvents: { webhookEvents: 1 },
        expireSignIns: { sessions: 1, throttles: 1 },
        expireCodes: { oneTimeCodes: 1, enrollmentCodes: 1 },
      });
      expect(await remaining(seeded)).toEqual(sortedKept(seeded));
    } finally {
      await schedule.delete();
    }
  });

  describe('the worker process', () => {
    let worker: WorkerProcess | undefined;
    afterAll(async () => {
      if (worker) await killProcess(worker.child);
    });

    it('makes sure of the daily schedule and sets the namespace to keep closed histories as long as cases', async () => {
      worker = await startWorkerProcess(stack, { RETENTION_CLOSED_CASE_DAYS: '400' });
      await worker.ready;
      const schedule = await stack.client.schedule.getHandle(retentionScheduleId).describe();
      expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retention' });
      expect(schedule.policies.overlap).toBe('SKIP');
      const only = (value: number) => [{ start: value, end: value, step: 1 }];
      expect(schedule.spec.calendars).toEqual([
        expect.objectContaining({ hour: only(3), minute: only(30), second: only(0) }),
      ]);
      expect(schedule.spec.timezone).toBe('UTC');
      expect(schedule.info.nextActionTimes[0]!.toISOString().slice(11)).toBe('03:30:00.000Z');
      expect(await namespaceRetentionDays(stack.client, temporalNamespace())).toBe(400);
    });
  });
});

async function waitFor<T>(read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting for the schedule to start its run');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
