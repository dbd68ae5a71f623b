import { startSimulatedAgent, type SimulatedAgent } from '../../agent/simulatedAgent';
import { Device } from '../../store/models';
import { approve, openDemoCase, waitForStatus } from '../support/cases';
import { serialDevice, type SerialDevice } from '../support/serialDevice';
import { eventually, startTestStack, type TestStack } from '../support/stack';

// The Pi's status LED follows its case through the real API and workflow: the
// API tells the device each change of its case's status (`case:status`).

describe('status LED driven by the case', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('status_led');
  });
  afterAll(() => stack.stop());

  function startAgent(): {
    agent: SimulatedAgent;
    controller: SerialDevice;
    shown: () => string[];
  } {
    const controller = serialDevice(() => 'OK\n');
    const agent = startSimulatedAgent({
      apiUrl: stack.apiUrl,
      token: stack.demo.device.token,
      // A hung router: its power cycle resolves the case, and the LED goes back to idle.
      scenario: 'gateway-unreachable',
      heartbeatMs: 200,
      log: () => undefined,
      led: { path: controller.path, binding: controller.binding },
    });
    const shown = () => controller.received.map((line) => line.split(' ')[1]!);
    return { agent, controller, shown };
  }

  it('shows diagnosing, waiting for approval, fixing and idle, and tells a reconnecting device', async () => {
    const first = startAgent();
    let second: ReturnType<typeof startAgent> | undefined;
    try {
      await eventually(async () => first.agent.socket.connected, { what: 'the agent to connect' });
      const told: string[] = [];
      first.agent.socket.on('case:status', ({ status }: { status: string }) => told.push(status));
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval');
      await eventually(async () => first.shown().at(-1) === 'waiting_approval', {
        what: 'the LED to ask for approval',
      });
      expect(first.shown()).toEqual(['offline', 'idle', 'diagnosing', 'waiting_approval']);
      // The heartbeat carries the LED state to the portal.
      await eventually(
        async () =>
          (await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean())?.health?.led ===
          'waiting_approval',
        { what: 'the heartbeat to report the LED state' },
      );

      // Each change once: the steps between changes are not repeated to the box.
      expect(told).toEqual(['open', 'diagnosing', 'awaiting_approval']);

      // A device that reconnects mid-case hears where its case stands.
      first.agent.stop();
      second = startAgent();
      await eventually(async () => second!.shown().at(-1) === 'waiting_approval', {
        what: 'the reconnected LED to ask for approval',
      });

      expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);
      expect((await handle.result()).status).toBe('resolved');
      await eventually(async () => second!.shown().at(-1) === 'idle', {
        what: 'the LED to go idle',
      });
      const afterApproval = second.shown().slice(second.shown().indexOf('waiting_approval'));
      expect(afterApproval).toEqual(expect.arrayContaining(['fixing', 'diagnosing', 'idle']));
      expect(afterApproval.indexOf('fixing')).toBeLessThan(afterApproval.lastIndexOf('idle'));
      // Every line is the documented protocol.
      for (const line of second.controller.received) expect(line).toMatch(/^LED \w+ #[0-9a-f]{6}$/);
    } finally {
      first.agent.stop();
      second?.agent.stop();
    }
  });
});
