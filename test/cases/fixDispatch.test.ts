import type { StepRecord } from '../../activities/caseStore';
import type { SimulatedAgent } from '../../agent/simulatedAgent';
import { verifyChain } from '../../store/audit';
import { AuditEntry } from '../../store/models';
import { approve, connectDevice, openDemoCase, saveHistory, waitForStatus } from '../support/cases';
import { eventually, startTestStack, startWorkerWith, type TestStack } from '../support/stack';

// An approved fix goes to the Zen box without waiting for the approval to be
// written down: the customer is waiting, and the audit trail keeps its order anyway.

describe('an approved fix', () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> } | undefined;
  let device: SimulatedAgent | undefined;
  let recordHeld: () => void;
  let releaseRecord: () => void;
  const held = new Promise<void>((resolve) => (recordHeld = resolve));
  const released = new Promise<void>((resolve) => (releaseRecord = resolve));

  beforeAll(async () => {
    stack = await startTestStack('dispatch', { worker: false });
    worker = await startWorkerWith(stack, (activities) => ({
      // The approval's record is written only when the test says so.
      async recordStep(step: StepRecord) {
        if (step.actionType === 'fix_approved') {
          recordHeld();
          await released;
        }
        return activities.recordStep(step);
      },
    }));
  });
  afterAll(async () => {
    releaseRecord();
    device?.stop();
    await worker?.stop();
    await stack?.stop();
  });

  it('is carried out while its approval is still being recorded, and the trail stays in order', async () => {
    device = connectDevice(stack, 'gateway-unreachable');
    const { caseId, handle } = await openDemoCase(stack);
    const waiting = await waitForStatus(handle, 'awaiting_approval');
    expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);

    await held;
    await eventually(async () => device!.network.applied.length > 0, {
      what: 'the fix on the device',
      timeoutMs: 8_000,
    });
    const written = await AuditEntry.find({ caseId }).lean();
    expect(written.map((e) => e.actionType)).not.toContain('fix_approved');

    releaseRecord();
    const final = await handle.result();
    expect(final).toMatchObject({ status: 'resolved', issueCategory: 'gateway' });
    expect(device.network.applied.map((a) => a.action)).toEqual(['power_cycle_router']);
    const trail = await AuditEntry.find({ caseId }).sort({ seq: 1 }).lean();
    const types = trail.map((e) => e.actionType);
    expect(types.slice(types.indexOf('fix_proposed'), types.indexOf('fix_done') + 1)).toEqual([
      'fix_proposed',
      'fix_approved',
      'fix_started',
      'fix_done',
    ]);
    expect(trail.map((e) => e.seq)).toEqual(trail.map((_, i) => i + 1));
    expect(await verifyChain(caseId)).toMatchObject({ valid: true, entries: trail.length });
    await saveHistory(handle, 'fix-dispatched-beside-records');
  }, 60_000);
});
