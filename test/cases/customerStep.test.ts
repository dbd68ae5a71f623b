import { scenarios } from '../../agent/simulator/scenarios';
import { AuditEntry, Device } from '../../store/models';
import {
  connectDevice,
  openDemoCase,
  saveHistory,
  sayStepDone,
  waitForStatus,
} from '../support/cases';
import { eventually, startTestStack, type TestStack } from '../support/stack';
import { seedOtherTenant } from '../support/tenants';

// A fault of the office that the customer can fix on site (a second router plugged
// into the switch): the case shows the step, waits for their word that it is done,
// checks everything again, and closes only on what the office's DHCP hands out now.

const rogue = scenarios['rogue-dhcp'];

describe('a step the customer takes on site', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('customer_step', { caseSettings: { customerStepWaitMs: 60_000 } });
  });
  afterAll(() => stack.stop());

  const stepDone = (caseId: string, token?: string) => sayStepDone(stack, caseId, token);

  it('waits for the word, checks again and resolves when the step fixed the office', async () => {
    const device = connectDevice(stack, 'rogue-dhcp');
    try {
      const { caseId, handle } = await openDemoCase(stack, rogue.customerSays);
      const waiting = await waitForStatus(handle, 'awaiting_customer');
      expect(waiting.manualStep).toMatchObject({
        title: 'Unplug the second router',
        awaitsWord: true,
        category: 'dhcp',
      });
      expect(waiting.manualStep!.steps[0]).toMatch(/second Wi-Fi router/);
      expect(device.network.applied).toEqual([]);
      // Nothing was changed by the box: the office's DHCP still has the stranger.
      expect(waiting.results.find((r) => r.check === 'dhcp_servers')?.ok).toBe(false);

      device.network.repairOnSite('rogueDhcpServer');
      expect(await stepDone(caseId)).toMatchObject({ status: 200 });
      // Said twice (a second tab, a second person): the case already heard it.
      expect(await stepDone(caseId)).toMatchObject({ status: 409 });

      const final = await handle.result();
      await saveHistory(handle, 'customer-step-fixed-rogue-dhcp');
      expect(final).toMatchObject({ status: 'resolved', issueCategory: 'dhcp', actionsTaken: [] });
      expect(final.manualStep).toBeUndefined();
      expect(final.results.find((r) => r.check === 'dhcp_servers')?.ok).toBe(true);
      expect(final.step).toMatch(/^Fixed by your step and verified/);
      const trail = await AuditEntry.find({ caseId }).sort({ seq: 1 }).lean();
      const kinds = trail.map((e) => e.actionType);
      expect(kinds).toEqual(
        expect.arrayContaining(['customer_step_asked', 'customer_step_done', 'manual_step_fixed']),
      );
      expect(trail.find((e) => e.actionType === 'customer_step_done')).toMatchObject({
        actor: { role: 'customer' },
        channel: 'api',
      });
    } finally {
      device.stop();
    }
  });

  it('hands the case to a technician when the step did not fix it', async () => {
    const device = connectDevice(stack, 'rogue-dhcp');
    try {
      const { caseId, handle } = await openDemoCase(stack, rogue.customerSays);
      await waitForStatus(handle, 'awaiting_customer');
      // The customer says done, but the second router is still plugged in.
      expect(await stepDone(caseId)).toMatchObject({ status: 200 });
      const final = await handle.result();
      expect(final).toMatchObject({ status: 'escalated', issueCategory: 'dhcp' });
      expect(final.instructions).toMatch(/technician/);
      expect(final.manualStep).toBeUndefined();
    } finally {
      device.stop();
    }
  });

  it('refuses the word when no step is waiting, and from another customer', async () => {
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      // Online before the case starts: the last test's box has just gone.
      await eventually(
        async () =>
          (await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean())?.status ===
          'online',
        { what: 'the demo box to be online' },
      );
      const { caseId, handle } = await openDemoCase(stack);
      await waitForStatus(handle, 'awaiting_approval');
      // Another customer's word reaches no case of theirs, waiting or not.
      const other = await seedOtherTenant();
      expect(await stepDone(caseId, other.token)).toMatchObject({ status: 404 });
      expect(await stepDone(caseId)).toMatchObject({
        status: 409,
        body: { error: 'No step is waiting for the customer in this case' },
      });
      await handle.signal('closeCase', { actor: { id: 'test', role: 'operator' }, reason: 'done' });
      expect((await handle.result()).status).toBe('cancelled');
    } finally {
      device.stop();
    }
  });
});
