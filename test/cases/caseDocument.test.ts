import type { StepRecord } from '../../activities/caseStore';
import type { SimulatedAgent } from '../../agent/simulatedAgent';
import { verifyChain } from '../../store/audit';
import { AuditEntry, Case } from '../../store/models';
import { approve, connectDevice, openDemoCase, waitForStatus } from '../support/cases';
import { startTestStack, startWorkerWith, type TestStack } from '../support/stack';

// The case document holds a case's state (status, category, results, fixes, close);
// the audit trail holds its every step. A step that changes no state is not written
// to the document, and the document still ends up with everything.

interface Seen {
  step: StepRecord;
  /** The document's step text right after this step's record. */
  documentStep: string | null | undefined;
}

describe('the case document', () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> } | undefined;
  let device: SimulatedAgent | undefined;
  const seen: Seen[] = [];

  beforeAll(async () => {
    stack = await startTestStack('casedoc', { worker: false });
    worker = await startWorkerWith(stack, (activities) => ({
      // Records of one case run one after another, so the document read here is this step's.
      async recordStep(step: StepRecord) {
        const hash = await activities.recordStep(step);
        const doc = await Case.findById(step.caseId, { step: 1 }).lean();
        seen.push({ step, documentStep: doc?.step });
        return hash;
      },
    }));
  });
  afterAll(async () => {
    device?.stop();
    await worker?.stop();
    await stack?.stop();
  });

  it('is written when the state changes, not for steps that only say something', async () => {
    device = connectDevice(stack, 'gateway-unreachable');
    const { caseId, handle } = await openDemoCase(stack);
    const waiting = await waitForStatus(handle, 'awaiting_approval');
    expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);
    const final = await handle.result();
    expect(final).toMatchObject({
      status: 'resolved',
      issueCategory: 'gateway',
      actionsTaken: ['power_cycle_router'],
    });

    const steps = seen.filter((s) => s.step.caseId === caseId);
    expect(steps.map((s) => s.step.seq)).toEqual(steps.map((_, i) => i + 1));
    // What the workflow marked: exactly the steps that leave status, category, results,
    // fixes and completion as the step before left them.
    let before = { status: 'open', issueCategory: 'unknown' };
    for (const { step } of steps) {
      const same =
        step.status === before.status &&
        step.issueCategory === before.issueCategory &&
        step.diagnosticData === undefined &&
        step.remediationAction === undefined &&
        !step.completed;
      expect({ actionType: step.actionType, stepOnly: step.stepOnly === true }).toEqual({
        actionType: step.actionType,
        stepOnly: same,
      });
      before = { status: step.status, issueCategory: step.issueCategory ?? 'unknown' };
    }
    const stepOnly = steps.filter((s) => s.step.stepOnly).map((s) => s.step.actionType);
    expect(stepOnly).toEqual(expect.arrayContaining(['case_opened', 'fix_approved']));

    // What the activity did: the document's text moves with state changes only.
    let documented = 'Case opened through the API';
    for (const { step, documentStep } of steps) {
      if (!step.stepOnly) documented = step.step;
      expect({ actionType: step.actionType, documentStep }).toEqual({
        actionType: step.actionType,
        documentStep: documented,
      });
    }

    // Every step is in the audit trail, and the document has the whole final state.
    const trail = await AuditEntry.find({ caseId }).sort({ seq: 1 }).lean();
    expect(trail.map((e) => e.actionType)).toEqual(steps.map((s) => s.step.actionType));
    expect(await verifyChain(caseId)).toMatchObject({ valid: true, entries: steps.length });
    const doc = await Case.findById(caseId).lean();
    expect(doc).toMatchObject({
      status: 'resolved',
      issueCategory: final.issueCategory,
      step: final.step,
      diagnosticData: final.results,
    });
    expect(doc!.remediationActions).toHaveLength(1);
    expect(doc!.completedAt).toBeInstanceOf(Date);
  }, 60_000);
});
