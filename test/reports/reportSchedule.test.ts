import { reportScheduleId } from '../../workers/schedules';
import { startTestStack, type TestStack } from '../support/stack';
import { killProcess, startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

// The worker process makes sure of the monthly reports' Temporal Schedule when it starts:
// the 1st of every month at 06:00 UTC, one run at a time.

describe('the monthly reports schedule', () => {
  let stack: TestStack;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    stack = await startTestStack('report-schedule', { worker: false });
  });
  afterAll(async () => {
    if (worker) await killProcess(worker.child);
    await stack.stop();
  });

  it('exists once the worker has started, on the 1st at 06:00 UTC', async () => {
    worker = await startWorkerProcess(stack);
    await worker.ready;
    const schedule = await stack.client.schedule.getHandle(reportScheduleId).describe();
    expect(schedule.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'monthlyReports',
    });
    expect(schedule.policies.overlap).toBe('SKIP');
    const [calendar, ...more] = schedule.spec.calendars ?? [];
    expect(more).toEqual([]);
    const only = (value: number) => [{ start: value, end: value, step: 1 }];
    expect(calendar).toMatchObject({
      dayOfMonth: only(1),
      hour: only(6),
      minute: only(0),
      second: only(0),
    });
    expect(calendar!.month).toEqual([{ start: 'JANUARY', end: 'DECEMBER', step: 1 }]);
    expect(schedule.spec.timezone).toBe('UTC');
    const next = schedule.info.nextActionTimes[0]!;
    expect(next.getUTCDate()).toBe(1);
    expect(next.toISOString().slice(11)).toBe('06:00:00.000Z');
  });
});
