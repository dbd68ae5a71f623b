import { randomUUID } from 'node:crypto';
import { AuditEntry } from '../../store/models';
import { caseWorkflowId, type CaseSettings } from '../../workflows/messages';
import { supportCase } from '../../workflows/supportCase';
import { connectDevice, openDemoCase, saveHistory, stateOf, waitForStatus } from '../support/cases';
import { eventually, startTestStack, type TestStack } from '../support/stack';

// Durations shortened through the case settings: the same code paths as 15 minutes.

describe('supportCase waiting', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('timeouts', {
      caseSettings: {
        approvalTimeoutMs: 1500,
        approvalGraceMs: 1500,
        reconnectGraceMs: 1000,
        manualStepWaitMs: 60_000,
      },
    });
  });
  afterAll(() => stack.stop());

  it('no answer to a proposed fix: reminds once, then escalates without changing anything', async () => {
    const device = connectDevice(stack, 'dns-failure');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      await waitForStatus(handle, 'awaiting_approval');
      const final = await handle.result();
      expect(final.status).toBe('escalated');
      expect(final.instructions).toContain('Nobody approved');
      expect(device.network.applied).toEqual([]);
      const types = (await AuditEntry.find({ caseId }).sort({ seq: 1 }).lean()).map(
        (e) => e.actionType,
      );
      expect(types.indexOf('approval_reminder')).toBeGreaterThan(types.indexOf('fix_proposed'));
      expect(types.at(-1)).toBe('case_escalated');
    } finally {
      device.stop();
    }
  });

  it('device unreachable: says so, tells the customer what to do, and verifies and closes when it is back', async () => {
    const { caseId, handle } = await openDemoCase(stack);
    // Said at once, with what to check now; the guess at the cause follows the grace.
    await eventually(() => AuditEntry.exists({ caseId, actionType: 'device_unreachable' }), {
      what: 'the offline notice in the audit log',
    });
    // The box went quiet before any check: the modem first, then the router.
    await eventually(() => AuditEntry.exists({ caseId, actionType: 'manual_step_asked' }), {
      what: 'the manual step in the audit log',
    });
    const guided = await stateOf(handle);
    expect(guided.step).toBe('The Zen box cannot reach us. Restart your modem, then your router');
    expect(guided.manualStep).toMatchObject({
      title: 'Restart your modem, then your router',
      category: 'unknown',
    });
    expect(guided.manualStep!.steps[0]).toMatch(/^Unplug the power cable of the modem/);
    // The customer does it; the box comes back.
    const device = connectDevice(stack, 'healthy');
    try {
      const final = await handle.result();
      await saveHistory(handle, 'unreachable-box-guided');
      expect(final).toMatchObject({ status: 'resolved', issueCategory: 'unknown' });
      expect(final.manualStep).toBeUndefined();
      const texts = final.timeline.map((t) => t.text);
      expect(texts).toContain(
        'The Zen box is back online: checking whether the network works again',
      );
      expect(texts).toContain('Fixed by your step: Restart your modem, then your router');
      expect(texts.at(-1)).toMatch(/^Fixed by your step and verified: /);
      const types = (await AuditEntry.find({ caseId }).sort({ seq: 1 }).lean()).map(
        (e) => e.actionType,
      );
      expect(types.slice(types.indexOf('device_unreachable'))).toEqual([
        'device_unreachable',
        'manual_step_asked',
        'device_online',
        'diagnostics_received',
        'manual_step_fixed',
        'case_resolved',
      ]);
    } finally {
      device.stop();
    }
  });

  it('device back within the grace: no step beyond what to check now', async () => {
    const handle = await startCase({ reconnectGraceMs: 30_000 });
    await eventually(async () => (await stateOf(handle)).step.includes('cannot reach us'), {
      what: 'the unreachable notice',
    });
    const device = connectDevice(stack, 'healthy');
    try {
      const final = await handle.result();
      expect(final).toMatchObject({ status: 'resolved', issueCategory: 'none' });
      expect(final.timeline.map((t) => t.text)).not.toContainEqual(
        expect.stringMatching(/Restart|Fixed by your step/),
      );
    } finally {
      device.stop();
    }
  });

  it('device still unreachable after the manual step: escalates with the step in the instructions', async () => {
    const final = await (
      await startCase({ reconnectGraceMs: 500, manualStepWaitMs: 1000 })
    ).result();
    expect(final.status).toBe('escalated');
    expect(final.diagnosis).toContain('unreachable');
    expect(final.instructions).toMatch(
      /^Restart your modem, then your router\. 1\. Unplug the power cable of the modem .* A technician will call you\.$/,
    );
  });

  function startCase(settings: Partial<CaseSettings>) {
    const { demo, client } = stack;
    return client.workflow.start(supportCase, {
      taskQueue: stack.taskQueue,
      workflowId: caseWorkflowId(demo.device.deviceId),
      args: [
        {
          caseId: randomUUID(),
          customerId: demo.customer.id,
          businessName: demo.customer.businessName,
          siteId: demo.siteId,
          deviceId: demo.device.deviceId,
          channel: 'portal',
          openedBy: { id: 'test', role: 'operator' },
          // Started here, not through the API: the hand-over ends the case as the stack's do.
          settings: { technicianWaitMs: 0, ...settings },
        },
      ],
    });
  }
});
