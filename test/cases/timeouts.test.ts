import { randomUUID } from 'node:crypto';
import { AuditEntry } from '../../store/models';
import { caseWorkflowId } from '../../workflows/messages';
import { supportCase } from '../../workflows/supportCase';
import { connectDevice, openDemoCase, stateOf, waitForStatus } from '../support/cases';
import { eventually, startTestStack, type TestStack } from '../support/stack';

// Durations shortened through the case settings: the same code paths as 15 minutes.

describe('supportCase waiting', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('timeouts', {
      caseSettings: {
        approvalTimeoutMs: 1500,
        approvalGraceMs: 1500,
        deviceOfflineLimitMs: 20_000,
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

  it('device offline: tells the customer, waits, and carries on when it reconnects', async () => {
    const { caseId, handle } = await openDemoCase(stack);
    await eventually(() => AuditEntry.exists({ caseId, actionType: 'device_offline' }), {
      what: 'the offline notice in the audit log',
    });
    expect((await stateOf(handle)).step).toContain('offline');
    const device = connectDevice(stack, 'healthy');
    try {
      const final = await handle.result();
      expect(final).toMatchObject({ status: 'resolved', issueCategory: 'none' });
      expect(await AuditEntry.exists({ caseId, actionType: 'device_online' })).toBeTruthy();
    } finally {
      device.stop();
    }
  });

  it('device offline for too long: escalates', async () => {
    const { demo, client } = stack;
    const handle = await client.workflow.start(supportCase, {
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
          settings: { deviceOfflineLimitMs: 1000 },
        },
      ],
    });
    const final = await handle.result();
    expect(final.status).toBe('escalated');
    expect(final.diagnosis).toContain('offline');
  });
});
