import { caseStatuses } from '../../contracts/case';
import { serialDevice } from '../../test/support/serialDevice';
import { createLed, createStatusLight, ledLine } from './led';
import {
  ledColours,
  ledStates,
  nextLightState,
  type AgentEvent,
  type LedState,
  type LightState,
} from './ledState';

describe('LED state from what the agent hears', () => {
  const wired: LightState = { led: 'idle', path: 'wired' };
  /** The state shown after each event, from `start`. */
  const shown = (events: AgentEvent[], start: LightState = wired): LedState[] => {
    let light = start;
    return events.map((event) => (light = nextLightState(light, event)).led);
  };
  const at = (led: LedState, event: AgentEvent) =>
    nextLightState({ led, path: 'wired' }, event).led;

  it('gives every state its own colour', () => {
    const colours = ledStates.map((state) => ledColours[state]);
    expect(new Set(colours).size).toBe(ledStates.length);
    for (const colour of colours) expect(colour).toMatch(/^#[0-9a-f]{6}$/);
  });

  const aCase: AgentEvent[] = [
    { type: 'command', kind: 'diagnose' },
    { type: 'case:status', status: 'awaiting_approval' },
    { type: 'command', kind: 'remediate' },
    { type: 'case:status', status: 'verifying' },
    { type: 'case:status', status: 'resolved' },
  ];

  it('follows a case from diagnosis through approval and fix to idle', () => {
    expect(shown([{ type: 'connected' }, ...aCase], { led: 'offline', path: 'wired' })).toEqual([
      'idle',
      'diagnosing',
      'waiting_approval',
      'fixing',
      'diagnosing',
      'idle',
    ]);
  });

  it('shows idle over LTE wherever it would show idle, while the link runs over LTE', () => {
    const offline: LightState = { led: 'offline', path: 'wired' };
    expect(shown([{ type: 'connected', path: 'lte' }, ...aCase], offline)).toEqual([
      'idle_lte',
      'diagnosing',
      'waiting_approval',
      'fixing',
      'diagnosing',
      'idle_lte',
    ]);
    const overLte = shown(
      [
        { type: 'connected', path: 'lte' },
        { type: 'command:failed' },
        { type: 'case:status', status: 'cancelled' },
        { type: 'disconnected' },
        { type: 'case:status', status: 'resolved' },
        { type: 'connected', path: 'wired' },
        { type: 'command', kind: 'diagnose' },
        { type: 'case:status', status: 'resolved' },
      ],
      offline,
    );
    expect(overLte).toEqual([
      'idle_lte',
      'fault',
      'idle_lte',
      'offline',
      'idle_lte',
      'idle',
      'diagnosing',
      'idle',
    ]);
  });

  it('shows a fault for a failed command or an escalation, offline when the link drops', () => {
    expect(at('fixing', { type: 'command:failed' })).toBe('fault');
    expect(at('diagnosing', { type: 'case:status', status: 'escalated' })).toBe('fault');
    expect(at('waiting_approval', { type: 'disconnected' })).toBe('offline');
    expect(at('offline', { type: 'connected' })).toBe('idle');
    // A person closing the case clears a fault.
    expect(at('fault', { type: 'case:status', status: 'cancelled' })).toBe('idle');
    expect(at('offline', { type: 'untrusted' })).toBe('untrusted');
  });

  it('maps every case status to a state', () => {
    for (const status of caseStatuses) {
      expect(ledStates).toContain(at('idle', { type: 'case:status', status }));
    }
  });

  it('tells the controller only about changes, idle over LTE included', () => {
    const controller = { shown: [] as LedState[] };
    const light = createStatusLight({
      show: (state) => {
        controller.shown.push(state);
        return Promise.resolve(true);
      },
      close: () => Promise.resolve(),
    });
    light.handle({ type: 'connected', path: 'lte' });
    light.handle({ type: 'command', kind: 'diagnose' });
    light.handle({ type: 'case:status', status: 'diagnosing' });
    light.handle({ type: 'case:status', status: 'resolved' });
    expect(controller.shown).toEqual(['offline', 'idle_lte', 'diagnosing', 'idle_lte']);
    expect(light.state).toBe('idle_lte');
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
