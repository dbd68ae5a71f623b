import type { Client } from '@temporalio/client';
import type { MonitorState } from '../../contracts/monitor';
import { actOnMonitorState, faultDescription } from '../../api/monitoring/faults';
import type { MonitoredDevice, MonitoringDeps } from '../../api/monitoring/device';
import { notificationWorkflowId } from '../../notifier/notify';
import { createLogger } from '../../observability/logger';
import { Case, Device } from '../../store/models';
import { eventually, startTestStack, type TestStack } from '../support/stack';

// The cloud's side of a change of the box's state, against the real stack: the stored
// state is swapped with a compare-and-set, so two API instances receiving the same
// change act once; an action that fails puts the state back so the next beat acts.

jest.setTimeout(90_000);

describe("the cloud acting on the box's monitor state", () => {
  let stack: TestStack;
  let device: MonitoredDevice;
  const acted: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack('monitorfaults');
    const doc = await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean();
    device = { deviceId: doc!.deviceId, docId: doc!._id, cloudPath: 'lte' };
  });
  afterAll(() => stack.stop());

  /** One API instance's dependencies; its log says when it acted. */
  function instance(temporal: Client = stack.client): MonitoringDeps {
    const logger = createLogger('api', 'silent');
    logger.info = ((_fields: unknown, message?: string) => {
      if (message) acted.push(message);
    }) as typeof logger.info;
    return {
      temporal,
      defaults: { taskQueue: stack.taskQueue, settings: {} },
      voice: { callCustomer: () => Promise.resolve() },
      logger,
    };
  }
  const stored = async () =>
    (await Device.findOne({ _id: device.docId }).lean())?.monitorState as MonitorState | undefined;
  const notified = (key: string) =>
    stack.client.workflow
      .getHandle(notificationWorkflowId(key))
      .describe()
      .catch(() => undefined);

  const fault: MonitorState = {
    state: 'fault',
    failing: ['dns', 'internet'],
    since: '2026-12-06T07:41:12.000Z',
    flaps: 0,
  };

  it('keeps the state when acting fails, so the next report acts', async () => {
    const away = {
      withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(),
      workflow: {
        executeUpdateWithStart: () => Promise.reject(new Error('Temporal is away')),
        start: () => Promise.reject(new Error('Temporal is away')),
      },
    } as unknown as Client;
    await expect(actOnMonitorState(instance(away), device, fault)).rejects.toThrow(/away/);
    expect(await stored()).toBeUndefined();
    expect(await Case.countDocuments({ deviceId: device.deviceId })).toBe(0);
  });

  it('acts once on a fault two instances receive at the same time', async () => {
    await Promise.all([
      actOnMonitorState(instance(), device, fault),
      actOnMonitorState(instance(), device, fault),
    ]);
    expect(acted.filter((m) => /confirmed a fault/.test(m))).toHaveLength(1);
    expect(await stored()).toEqual(fault);
    const opened = await eventually(() => Case.findOne({ deviceId: device.deviceId }).lean(), {
      what: 'the case',
    });
    expect(opened.channel).toBe('agent');
    expect(await notified(`internet_down:${device.deviceId}:${fault.since}`)).toBeDefined();
    // The same state again (every heartbeat carries it): nothing more.
    await actOnMonitorState(instance(), device, { ...fault, flaps: 1 });
    expect(acted.filter((m) => /confirmed a fault/.test(m))).toHaveLength(1);
  });

  it('raises the recovery once, with when the fault began and what failed', async () => {
    const healthy: MonitorState = {
      state: 'healthy',
      failing: [],
      since: '2026-12-06T07:52:40.000Z',
      flaps: 1,
    };
    await Promise.all([
      actOnMonitorState(instance(), device, healthy),
      actOnMonitorState(instance(), device, healthy),
    ]);
    expect(acted.filter((m) => /healthy again/.test(m))).toHaveLength(1);
    const raised = await notified(`internet_recovered:${device.deviceId}:${healthy.since}`);
    expect(raised?.type).toBe('notifyPeople');
  });

  it('puts the fault in plain words, saying when a box on LTE is still online', () => {
    expect(faultDescription({ ...fault, flaps: 3 }, 'lte')).toBe(
      'The Zen box noticed on its own that looking up website names stopped working and the internet stopped answering (since 07:41 UTC). The connection has dropped 3 times in the last hour. The box itself is still online over its own mobile (LTE) connection, so it can be checked and fixed remotely.',
    );
    expect(faultDescription({ ...fault, failing: ['gateway'] }, 'wired')).toBe(
      'The Zen box noticed on its own that the office router stopped answering (since 07:41 UTC).',
    );
  });
});
