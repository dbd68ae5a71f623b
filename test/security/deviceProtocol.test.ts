import { connectAgent } from '../../agent/connection';
import type { CommandResult } from '../../contracts/device';
import { openDemoCase } from '../support/cases';
import { eventually, startTestStack, type TestStack } from '../support/stack';

// A Zen box that answers outside the device protocol (a bug, or a tampered box)
// gets its command failed with the reason: the case escalates at once instead
// of waiting for an answer that can never be accepted.

describe('an answer that breaks the device protocol', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('protocol');
  });
  afterAll(() => stack?.stop());

  it('fails the command with the reason and escalates the case', async () => {
    const socket = connectAgent({
      apiUrl: stack.apiUrl,
      token: stack.demo.device.token,
      log: () => undefined,
      health: () => ({ led: 'idle', uptimeSeconds: 1, summary: 'ok' }),
      onCommand: async (command) =>
        ({
          commandId: (command as { commandId: string }).commandId,
          kind: 'diagnose',
          ok: true,
          sanitized: true,
          results: [{ check: 'dns', ok: true, durationMs: 1, data: { name: 'x'.repeat(5000) } }],
        }) as unknown as CommandResult,
    });
    try {
      await eventually(async () => socket.connected, { what: 'the device to connect' });
      const started = Date.now();
      const { handle } = await openDemoCase(stack);
      const final = await handle.result();
      expect(final.status).toBe('escalated');
      expect(JSON.stringify(final.timeline)).toContain('answer breaks the device protocol');
      // Well inside the two-minute command timeout.
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      socket.disconnect();
    }
  }, 90_000);
});
