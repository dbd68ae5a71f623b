import { AuditEntry } from '../../store/models';
import { verifyChain } from '../../store/audit';
import { approve, connectDevice, openDemoCase, waitForStatus } from '../support/cases';
import { eventually, startTestStack, type TestStack } from '../support/stack';
import { killProcess, startWorkerProcess } from '../support/workerProcess';

// The worker as a real process, killed with SIGKILL mid-case and started again.

describe('a worker killed mid-case', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('crash', { worker: false });
  });
  afterAll(() => stack.stop());

  it('the case completes after a restart and nothing runs twice', async () => {
    const device = connectDevice(stack, 'modem-hung');
    let worker = await startWorkerProcess(stack);
    try {
      await worker.ready;
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval', 60_000);

      // Approved, and the worker dies right after: the fix has not gone out yet.
      expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);
      await killProcess(worker.child);
      worker = await startWorkerProcess(stack);
      await worker.ready;

      // Second crash once the fix is on its way to the device.
      await eventually(() => AuditEntry.exists({ caseId, actionType: 'fix_started' }), {
        timeoutMs: 30_000,
        what: 'the fix to start',
      });
      await killProcess(worker.child);
      worker = await startWorkerProcess(stack);
      await worker.ready;

      const final = await handle.result();
      expect(final.status).toBe('resolved');
      expect(device.network.applied.map((a) => a.action)).toEqual(['power_cycle_modem']);
      const entries = await AuditEntry.find({ caseId }).sort({ seq: 1 }).lean();
      expect(entries.filter((e) => e.actionType === 'fix_done')).toHaveLength(1);
      expect(await verifyChain(caseId)).toMatchObject({ valid: true, entries: entries.length });
    } finally {
      device.stop();
      if (worker.child.exitCode === null) await killProcess(worker.child);
    }
  }, 180_000);
});
