import { connectDevice, openDemoCase, saveHistory, stateOf } from '../support/cases';
import { eventually, startTestStack, type TestStack } from '../support/stack';

// A case whose Zen box cannot reach us says so at once, with what the customer can check
// now, keeps waiting for the box, and carries on when it comes back.

describe('a case whose Zen box is offline', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The default grace (two minutes) before a guess at the cause: nothing is said late.
    stack = await startTestStack('unreachable-at-once', {
      caseSettings: { reconnectGraceMs: 120_000 },
    });
  });
  afterAll(() => stack.stop());

  it('says the box cannot reach us at once, then carries on when it is back', async () => {
    const openedAt = Date.now();
    const { handle } = await openDemoCase(stack, 'The internet is down');
    const waiting = await eventually(
      async () => {
        const state = await stateOf(handle).catch(() => undefined);
        return state?.manualStep ? state : undefined;
      },
      { timeoutMs: 10_000, what: 'the case to say the box cannot reach us' },
    );
    expect(Date.now() - openedAt).toBeLessThan(10_000);
    expect(waiting.deviceOnline).toBe(false);
    expect(waiting.step).toBe('The Zen box cannot reach us. Check your Zen box and your internet');
    expect(waiting.manualStep).toMatchObject({ title: 'Check your Zen box and your internet' });
    expect(waiting.manualStep!.steps.join(' ')).toMatch(/power.*network cable.*internet works/s);
    expect(waiting.manualStep!.awaitsWord).toBeUndefined();

    const device = connectDevice(stack, 'healthy');
    try {
      const final = await handle.result();
      expect(final.status).toBe('resolved');
      expect(final.manualStep).toBeUndefined();
      expect(final.timeline.map((e) => e.text)).toContain('The Zen box is back online');
      await saveHistory(handle, 'unreachable-said-at-once');
    } finally {
      device.stop();
    }
  });
});
