import { caseStatuses } from '../../contracts/case';
import { serialDevice } from '../../test/support/serialDevice';
import { createLed, ledLine } from './led';
import { ledColours, ledStates, nextLedState, type AgentEvent, type LedState } from './ledState';

describe('LED state from what the agent hears', () => {
  it('gives every state its own colour', () => {
    const colours = ledStates.map((state) => ledColours[state]);
    expect(new Set(colours).size).toBe(ledStates.length);
    for (const colour of colours) expect(colour).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('follows a case from diagnosis through approval and fix to idle', () => {
    const events: AgentEvent[] = [
      { type: 'connected' },
      { type: 'command', kind: 'diagnose' },
      { type: 'case:status', status: 'awaiting_approval' },
      { type: 'command', kind: 'remediate' },
      { type: 'case:status', status: 'verifying' },
      { type: 'case:status', status: 'resolved' },
    ];
    const seen: LedState[] = [];
    events.reduce<LedState>((state, event) => {
      const next = nextLedState(state, event);
      seen.push(next);
      return next;
    }, 'offline');
    expect(seen).toEqual([
      'idle',
      'diagnosing',
      'waiting_approval',
      'fixing',
      'diagnosing',
      'idle',
    ]);
  });

  it('shows a fault for a failed command or an escalation, offline when the link drops', () => {
    expect(nextLedState('fixing', { type: 'command:failed' })).toBe('fault');
    expect(nextLedState('diagnosing', { type: 'case:status', status: 'escalated' })).toBe('fault');
    expect(nextLedState('waiting_approval', { type: 'disconnected' })).toBe('offline');
    expect(nextLedState('offline', { type: 'connected' })).toBe('idle');
    // A person closing the case clears a fault.
    expect(nextLedState('fault', { type: 'case:status', status: 'cancelled' })).toBe('idle');
  });

  it('maps every case status to a state', () => {
    for (const status of caseStatuses) {
      expect(ledStates).toContain(nextLedState('idle', { type: 'case:status', status }));
    }
  });
});

describe('LED controller over serial', () => {
  const quiet = { log: () => undefined };

  it('writes one protocol line per new state and waits for OK', async () => {
    const controller = serialDevice((line) =>
      /^LED \w+ #[0-9a-f]{6}$/.test(line) ? 'OK\n' : 'ERR syntax\n',
    );
    const led = createLed({ path: controller.path, binding: controller.binding, ...quiet });
    try {
      expect(await led.show('diagnosing')).toBe(true);
      expect(await led.show('diagnosing')).toBe(true); // unchanged: nothing sent
      expect(await led.show('waiting_approval')).toBe(true);
      expect(controller.recording().toString()).toBe(
        'LED diagnosing #0070ff\nLED waiting_approval #ffb000\n',
      );
      expect(ledLine('fault')).toBe('LED fault #ff0000\n');
    } finally {
      await led.close();
    }
  });

  it('reports a refusal, a silent controller and a missing port, and recovers', async () => {
    let mood: 'refuse' | 'silent' | 'fine' = 'refuse';
    const controller = serialDevice(() =>
      mood === 'refuse' ? 'ERR unknown state\n' : mood === 'fine' ? 'OK\n' : undefined,
    );
    const logged: string[] = [];
    const led = createLed({
      path: controller.path,
      binding: controller.binding,
      timeoutMs: 200,
      log: (line) => logged.push(line),
    });
    try {
      expect(await led.show('fixing')).toBe(false);
      expect(logged).toEqual([expect.stringContaining('ERR unknown state')]);
      mood = 'silent';
      expect(await led.show('fault')).toBe(false);
      // Logged once per outage, not once per state.
      expect(logged).toHaveLength(1);
      mood = 'fine';
      expect(await led.show('idle')).toBe(true);
      expect(logged[1]).toMatch(/working again/);
    } finally {
      await led.close();
    }

    const missing = createLed({ path: '/dev/ttyNOTHERE', binding: controller.binding, ...quiet });
    expect(await missing.show('idle')).toBe(false);
    await missing.close();
  });
});
