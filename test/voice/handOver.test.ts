import { caseWorkflowId } from '../../workflows/messages';
import type { supportCase } from '../../workflows/supportCase';
import { waitForStatus } from '../support/cases';
import { call } from '../support/stack';
import { expectPlainWords } from './plainWords';
import {
  callAboutNewProblem,
  connectPi,
  startVoiceStack,
  stopDevice,
  waitForCallState,
  waitToHear,
  type VoiceStack,
} from './support';

// A case the automation hands to a technician goes on after the call: the caller hears
// what happens next, and the call ends without asking for a rating (nothing is closed).

describe('voice: a case handed to a technician during the call', () => {
  let v: VoiceStack;
  beforeAll(async () => {
    v = await startVoiceStack('voicehandover', { technicianWaitMs: 600_000 });
  });
  afterAll(() => v.stop());

  it('tells the caller a technician has it, reads what to do, and ends the call', async () => {
    const device = connectPi(v.stack, 'isp-outage');
    try {
      const callId = await callAboutNewProblem(v.telnyx, v.stack.demo.customer.phone);
      const handle = v.stack.client.workflow.getHandle<typeof supportCase>(
        caseWorkflowId(v.stack.demo.device.deviceId),
      );
      const state = await waitForStatus(handle, 'awaiting_technician', 60_000);
      await waitToHear(v.telnyx, callId, 'Your case has been handed to a technician');
      await waitForCallState(v.telnyx, callId, 'ended');
      const heard = v.telnyx.heard(callId).join(' ');
      expect(heard).toContain('internet provider');
      expect(heard).not.toMatch(/how did we do/i);
      expectPlainWords(v.telnyx.heard(callId));
      // The case itself carries on with the technicians.
      expect((await handle.query('caseState')) as { status: string }).toMatchObject({
        status: 'awaiting_technician',
      });
      await call(`${v.stack.apiUrl}/api/cases/${state.caseId}/close`, v.stack.demo.operator.token, {
        body: { reason: 'test over' },
      });
      expect((await handle.result()).status).toBe('cancelled');
    } finally {
      await stopDevice(v.stack, device);
    }
  }, 120_000);
});
