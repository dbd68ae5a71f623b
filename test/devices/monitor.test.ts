import { startSimulatedAgent, type SimulatedAgent } from '../../agent/simulatedAgent';
import type { MonitorState } from '../../contracts/monitor';
import { notificationWorkflowId } from '../../notifier/notify';
import { Case, Device } from '../../store/models';
import { eventually, startTestStack, type TestStack } from '../support/stack';
import { unseal } from '../../privacy/seal';

// The box's own monitor against the real stack: a simulated box notices the fault in
// its simulated network, its case opens by itself on the agent channel, a flapping
// line makes one case and few alerts, and the recovery is raised.

jest.setTimeout(180_000);

describe('the box monitor opens its own case', () => {
  let stack: TestStack;
  let agent: SimulatedAgent | undefined;
  const faults: string[] = [];
  const recoveries: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack('monitor');
  });
  afterAll(async () => {
    agent?.stop();
    await stack.stop();
  });

  const deviceId = () => stack.demo.device.deviceId;
  const storedState = async () => {
    const device = await Device.findOne({ deviceId: deviceId() }).lean();
    return device?.monitorState as MonitorState | undefined;
  };
  const notified = async (key: string) => {
    const description = await stack.client.workflow
      .getHandle(notificationWorkflowId(key))
      .describe()
      .catch(() => undefined);
    return description?.type === 'notifyPeople' ? description : undefined;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('confirms a fault, opens the case on the agent channel and raises internet_down', async () => {
    agent = startSimulatedAgent({
      apiUrl: stack.apiUrl,
      token: stack.demo.device.token,
      scenario: 'healthy',
      log: (message, fields) => {
        if (/fault confirmed/.test(message)) faults.push(String(fields?.since));
        if (/network is healthy/.test(message)) recoveries.push(String(fields?.since));
      },
      monitor: {
        intervalSeconds: 1,
        recheckSeconds: 1,
        confirmAfter: 2,
        clearAfter: 2,
        // The default damping, with a half-life of seconds rather than minutes.
        damping: { halfLifeSeconds: 10 },
      },
    });
    await eventually(async () => (await storedState())?.state === 'healthy', {
      what: 'the first healthy verdict stored',
    });
    expect(await Case.countDocuments({ deviceId: deviceId() })).toBe(0);

    agent.setScenario('isp-outage');
    const opened = await eventually(() => Case.findOne({ deviceId: deviceId() }).lean(), {
      what: 'the case the box opened',
    });
    expect(opened.channel).toBe('agent');
    const stored = await storedState();
    expect(stored).toMatchObject({ state: 'fault', failing: expect.arrayContaining(['internet']) });
    expect(faults).toEqual([stored!.since]);
    const down = await eventually(() => notified(`internet_down:${deviceId()}:${faults[0]}`), {
      what: 'the internet_down notification',
    });
    expect(down.status.name).toBeDefined();
    // The customer reads plain words, not the probe names.
    const reported = await eventually(
      async () => {
        const doc = await Case.findOne({ _id: opened._id }).lean();
        const words = (doc?.reports as { words: string }[] | undefined)?.[0]?.words;
        // Stored sealed under the customer's key (privacy/), like every reporter's words.
        return words && unseal(words);
      },
      { what: 'the case to keep what the box reported' },
    );
    expect(reported).toMatch(
      /^The Zen box noticed on its own that .*the internet stopped answering/,
    );
    expect(reported).not.toMatch(/internet_down|\binternet\b,|dns/);
  });

  it('makes one case and few alerts of a flapping line, then raises the recovery', async () => {
    // The line comes back for a few seconds and fails again, four times over.
    for (let i = 0; i < 4; i++) {
      agent!.setScenario('healthy');
      await sleep(3500);
      agent!.setScenario('isp-outage');
      await sleep(3500);
    }
    agent!.setScenario('healthy');
    // Damped: the line was held in fault all along, so the first fault was the only one.
    expect(faults).toHaveLength(1);
    // Healthy only once: the first verdict after start.
    expect(recoveries).toHaveLength(1);
    const held = await storedState();
    expect(held).toMatchObject({ state: 'fault' });
    expect(held!.flaps).toBeGreaterThanOrEqual(3);
    expect(await Case.countDocuments({ deviceId: deviceId() })).toBe(1);

    // Stable again: once the penalty has decayed, the recovery is reported and raised.
    const recovered = await eventually(
      async () => {
        const state = await storedState();
        return state?.state === 'healthy' ? state : undefined;
      },
      { timeoutMs: 90_000, what: 'the recovery stored' },
    );
    expect(recoveries).toEqual([expect.any(String), recovered.since]);
    const key = `internet_recovered:${deviceId()}:${recovered.since}`;
    const raised = await eventually(() => notified(key), { what: 'internet_recovered' });
    expect(raised.type).toBe('notifyPeople');
    // Every fault the box reported was raised once, under its own key.
    for (const since of faults) {
      expect(await notified(`internet_down:${deviceId()}:${since}`)).toBeDefined();
    }
    expect(await Case.countDocuments({ deviceId: deviceId() })).toBe(1);
  });
});
