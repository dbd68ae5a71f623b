import { randomUUID } from 'node:crypto';
import { createDeviceMonitoring } from '../../api/monitoring';
import type { MonitoringDeps } from '../../api/monitoring/device';
import type { MonitorInterval, MonitorState } from '../../contracts/monitor';
import { subscriptionRules } from '../../contracts/tenancy';
import { notificationWorkflowId } from '../../notifier/notify';
import { createLogger } from '../../observability/logger';
import { Case, Device } from '../../store/models';
import { hashToken, newToken } from '../../store/tokens';
import { caseWorkflowId, closeCaseSignal } from '../../workflows/messages';
import { call, eventually } from '../support/stack';
import { signIn } from '../support/signIn';
import { startVoiceStack, waitForCallState, waitToHear, type VoiceStack } from '../voice/support';

// The subscription, enforced where a case opens: a suspended or cancelled customer is
// refused a new case in plain words through the portal's API and on the phone; its box's
// own faults open none (while suspended they are still told, and its health is stored);
// a cancelled customer's box tells nobody. An active customer's cases open as ever.

jest.setTimeout(120_000);

describe('the subscription where a case opens', () => {
  let v: VoiceStack;
  const api = (p: string) => `${v.stack.apiUrl}/api${p}`;
  // Changing what a business pays for needs a person signed in with an emailed code.
  let operatorSession: string;
  const operator = () => operatorSession;
  const demoId = () => v.stack.demo.customer.id;
  const setStatus = async (customerId: string, subscriptionStatus: string) => {
    const res = await call(api(`/customers/${customerId}`), operator(), {
      method: 'PATCH',
      body: { subscriptionStatus },
    });
    expect(res.status).toBe(200);
  };
  const closeCase = (deviceId: string) =>
    v.stack.client.workflow
      .getHandle(caseWorkflowId(deviceId))
      .signal(closeCaseSignal, { actor: { id: 'test', role: 'operator' }, reason: 'test over' })
      .catch(() => undefined);

  beforeAll(async () => {
    v = await startVoiceStack('subscription');
    operatorSession = await signIn(v.stack.apiUrl, v.mail.outbox, v.stack.demo.operator.email);
  });
  afterAll(async () => {
    await closeCase(v.stack.demo.device.deviceId);
    await v.stop();
  });

  it('refuses a suspended or cancelled customer a new case through the API, saying why', async () => {
    const { demo } = v.stack;
    await setStatus(demoId(), 'suspended');
    const refused = await call(api('/cases'), demo.customer.token, {
      body: { deviceId: demo.device.deviceId, description: 'No internet' },
    });
    expect(refused).toMatchObject({
      status: 403,
      body: { code: 'SUBSCRIPTION_SUSPENDED', error: subscriptionRules.suspended.notice },
    });
    // The box's own report is refused the same way.
    const boxReport = await call(api('/cases'), demo.device.token, {
      body: { deviceId: demo.device.deviceId },
    });
    expect(boxReport.body.code).toBe('SUBSCRIPTION_SUSPENDED');
    const session = await call(api('/auth/session'), demo.customer.token);
    expect(session.body.subscription).toEqual({
      status: 'suspended',
      notice: subscriptionRules.suspended.notice,
    });

    await setStatus(demoId(), 'cancelled');
    const ended = await call(api('/cases'), demo.customer.token, {
      body: { deviceId: demo.device.deviceId },
    });
    expect(ended).toMatchObject({
      status: 403,
      body: { code: 'SUBSCRIPTION_CANCELLED', error: subscriptionRules.cancelled.notice },
    });
    expect(await Case.countDocuments({ customerId: demoId() })).toBe(0);
  });

  it('tells a suspended caller why on the phone and says goodbye, found by any of its numbers', async () => {
    await setStatus(demoId(), 'suspended');
    const phones = [v.stack.demo.customer.phone, '+15553000002'];
    const moved = await call(api(`/customers/${demoId()}`), operator(), {
      method: 'PATCH',
      body: { phones },
    });
    expect(moved.body.phones).toEqual(phones);
    const id = await v.telnyx.placeCall('+15553000002');
    const heard = await waitToHear(v.telnyx, id, 'Goodbye.');
    expect(heard.join(' ')).toContain(
      'Your Zen and Zen service is paused, so we cannot open a new support case.',
    );
    await waitForCallState(v.telnyx, id, 'ended');
    expect(await Case.countDocuments({ customerId: demoId() })).toBe(0);
  });

  it('opens a case as ever once the subscription is active again', async () => {
    const { demo } = v.stack;
    await setStatus(demoId(), 'active');
    const opened = await call(api('/cases'), demo.customer.token, {
      body: { deviceId: demo.device.deviceId, description: 'No internet' },
    });
    expect(opened.status).toBe(201);
    await closeCase(demo.device.deviceId);
  });

  describe("the box's own monitor", () => {
    const logger = createLogger('api', 'silent');
    const deps = (): MonitoringDeps => ({
      temporal: v.stack.client,
      defaults: { taskQueue: v.stack.taskQueue, settings: {} },
      voice: { callCustomer: () => Promise.resolve() },
      logger,
    });
    const minute = () => new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
    const interval = (seq: number, failed: MonitorInterval['failed']): MonitorInterval => ({
      seq,
      start: minute(),
      seconds: 60,
      failed,
    });
    const fault = (): MonitorState => ({
      state: 'fault',
      failing: ['internet'],
      since: new Date().toISOString(),
      flaps: 0,
    });
    const notified = (key: string) =>
      v.stack.client.workflow
        .getHandle(notificationWorkflowId(key))
        .describe()
        .catch(() => undefined);

    let phone = 0;
    /** A business onboarded through the API with one box standing at its site. */
    async function boxOf(subscriptionStatus: string) {
      phone += 1;
      const created = await call(api('/customers'), operator(), {
        body: {
          businessName: `Monitor ${subscriptionStatus}`,
          email: `${subscriptionStatus}@monitor.example`,
          phones: [`+1555310000${phone}`],
          sites: [{ name: 'Office' }],
          subscriptionStatus,
        },
      });
      expect(created.status).toBe(201);
      const { id, sites } = created.body.customer;
      const deviceId = `pi-sub-${subscriptionStatus}-${randomUUID().slice(0, 8)}`;
      const doc = await Device.create({
        customerId: id,
        siteId: sites[0].id,
        deviceId,
        serialNumber: `SN-${deviceId}`,
        tokenHash: hashToken(newToken('zd')),
      });
      return { deviceId, docId: doc._id };
    }

    it('stores a suspended box’s health and tells of its fault, but opens no case', async () => {
      const box = await boxOf('suspended');
      const monitoring = createDeviceMonitoring(deps());
      const state = fault();
      const stored = await monitoring.report(box, {
        state,
        intervals: [interval(1, ['internet'])],
      });
      await monitoring.settled();
      expect(stored).toBe(1);
      expect((await Device.findById(box.docId).lean())?.monitorState).toEqual(state);
      expect(await notified(`internet_down:${box.deviceId}:${state.since}`)).toBeDefined();
      expect(await Case.countDocuments({ deviceId: box.deviceId })).toBe(0);
    });

    it('opens an active box’s case on its fault', async () => {
      const box = await boxOf('active');
      const monitoring = createDeviceMonitoring(deps());
      await monitoring.report(box, { state: fault(), intervals: [interval(1, ['internet'])] });
      await monitoring.settled();
      const opened = await eventually(() => Case.findOne({ deviceId: box.deviceId }).lean(), {
        what: "the box's case",
      });
      expect(opened.channel).toBe('agent');
      await closeCase(box.deviceId);
    });

    it('tells nobody of a cancelled box’s fault or its recovery, and still stores its health', async () => {
      const box = await boxOf('cancelled');
      const monitoring = createDeviceMonitoring(deps());
      const down = fault();
      expect(
        await monitoring.report(box, { state: down, intervals: [interval(1, ['internet'])] }),
      ).toBe(1);
      await monitoring.settled();
      const up: MonitorState = { state: 'healthy', failing: [], since: new Date().toISOString() };
      await monitoring.report(box, { state: up, intervals: [interval(2, [])] });
      await monitoring.settled();
      expect((await Device.findById(box.docId).lean())?.monitorState).toEqual(up);
      expect(await notified(`internet_down:${box.deviceId}:${down.since}`)).toBeUndefined();
      expect(await notified(`internet_recovered:${box.deviceId}:${up.since}`)).toBeUndefined();
      expect(await Case.countDocuments({ deviceId: box.deviceId })).toBe(0);
    });
  });
});
