import type { SimulatedAgent } from '../../agent/simulatedAgent';
import { connectDevice, openDemoCase, saveHistory, waitForStatus } from '../support/cases';
import { eventually, startTestStack, startWorkerWith, type TestStack } from '../support/stack';

// A Zen box that connects while the case is asking whether it is connected:
// the connection signal is newer than the check's "offline" and must win, or
// the case waits ten minutes for a device that is already there.

describe('a device connecting during the online check', () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> } | undefined;
  let device: SimulatedAgent | undefined;
  let checkStarted: () => void;
  let releaseCheck: () => void;
  const started = new Promise<void>((resolve) => (checkStarted = resolve));
  const released = new Promise<void>((resolve) => (releaseCheck = resolve));

  beforeAll(async () => {
    stack = await startTestStack('race', { worker: false });
    let calls = 0;
    worker = await startWorkerWith(stack, (activities) => ({
      // The first check answers only when the test says so, with what it saw at its start.
      async deviceIsOnline(deviceId: string) {
        const online = await activities.deviceIsOnline(deviceId);
        if (calls++ === 0) {
          checkStarted();
          await released;
        }
        return online;
      },
    }));
  });
  afterAll(async () => {
    device?.stop();
    await worker?.stop();
    await stack?.stop();
  });

  it('goes on with the case at once', async () => {
    const { handle } = await openDemoCase(stack);
    await started;
    device = connectDevice(stack, 'dns-failure');
    // The connection signal is in the history before the check answers "offline".
    await eventually(
      async () =>
        (await handle.fetchHistory()).events?.some(
          (e) => e.workflowExecutionSignaledEventAttributes,
        ),
      { what: 'the connection signal' },
    );
    releaseCheck();
    const waiting = await waitForStatus(handle, 'awaiting_approval', 30_000);
    expect(waiting.timeline.map((t) => t.text).join('\n')).not.toMatch(/offline/i);
    await handle.terminate('test over');
    await saveHistory(handle, 'device-connects-during-check');
  }, 60_000);
});
