import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { noticeSilentBoxes, type OfflineSettings } from '../../api/monitoring/offline';
import type { DeviceHealthEvent } from '../../api/monitoring/live';
import { ensureHealthIndexes, HealthOutage } from '../../store/healthHistory';
import { Device } from '../../store/models';
import { ensureHealthSchedules } from '../../workers/schedules';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';
import { emailsTo, smsTo } from '../notifications/support';

// A box that falls silent is noticed by the sweep (no timer per box in the API): one
// box_offline for the silence and one box_online when the box is back, however many
// sweeps run, at once or again. The notifier's workflows are started per event key;
// these tests read which were started from Temporal, and what people received from the
// notifier's stand-ins (SMS, email, Slack, PagerDuty).

const minute = 60_000;
const settings: OfflineSettings = {
  offlineAfterMs: 5 * minute,
  unclosedSocketAfterMs: 15 * minute,
};

describe('offline boxes', () => {
  let stack: TestStack;
  let other: OtherTenant;
  const sockets: Socket[] = [];
  const notifying = () => ({ client: stack.client, taskQueue: stack.taskQueue });
  const scheduleIds = {
    offlineSweep: `test-offline-sweep-${randomUUID()}`,
    compaction: `test-compaction-${randomUUID()}`,
  };

  beforeAll(async () => {
    stack = await startTestStack('offline-notice', { notifications: { retrySeconds: 3 } });
    await ensureHealthIndexes();
    other = await seedOtherTenant();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    for (const id of Object.values(scheduleIds)) {
      await stack.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    }
    await stack.stop();
  });

  /** The notifications started so far (notifyPeople workflows on this file's task queue). */
  async function notifications(): Promise<string[]> {
    const ids: string[] = [];
    const query = `WorkflowType = 'notifyPeople' AND TaskQueue = '${stack.taskQueue}'`;
    for await (const run of stack.client.workflow.list({ query })) ids.push(run.workflowId);
    return ids.sort();
  }
  const settled = async (count: number) =>
    eventually(
      async () => ((await notifications()).length === count ? notifications() : undefined),
      {
        what: `${count} notifications`,
      },
    );

  /** Another box of the demo customer, already seen once. */
  async function addBox(name: string, status: string, lastSeen: Date): Promise<string> {
    const deviceId = `pi-${name}-${randomUUID().slice(0, 8)}`;
    await Device.create({
      customerId: stack.demo.customer.id,
      siteId: stack.demo.siteId,
      deviceId,
      serialNumber: `SN-${deviceId}`,
      tokenHash: `unused-${deviceId}`,
      status,
      lastSeen,
    });
    return deviceId;
  }

  const notifier = () => stack.notifier!;
  /** The demo account got `sms` by SMS and an email with `subject`, and operators it on Slack. */
  async function heardOnce(sms: string, subject: string) {
    const { phone, email } = stack.demo.customer;
    const counts = () => ({
      sms: smsTo(notifier(), phone, sms).length,
      email: emailsTo(notifier(), email, `Subject: ${subject}`).length,
      slack: notifier().slack.messages.filter((m) => m.text.includes(`*${subject}*`)).length,
    });
    const once = { sms: 1, email: 1, slack: 1 };
    await eventually(async () => JSON.stringify(counts()) === JSON.stringify(once), {
      what: `one SMS, one email and one Slack message: ${subject}`,
      timeoutMs: 60_000,
    });
    // A duplicate would come within the notifier's retries.
    await new Promise((r) => setTimeout(r, 1500));
    expect(counts()).toEqual(once);
  }

  const stored = async (deviceId: string) => (await Device.findOne({ deviceId }).lean())!;

  function connect(token: string, namespace = '/device'): Socket {
    const socket = io(`${stack.apiUrl}${namespace}`, {
      auth: { token },
      transports: ['websocket'],
    });
    sockets.push(socket);
    return socket;
  }

  it('notifies a box gone silent once, and its return once', async () => {
    const deviceId = stack.demo.device.deviceId;
    const heard: DeviceHealthEvent[] = [];
    const portal = connect(stack.demo.customer.token, '/portal');
    portal.on('device:health', (event: DeviceHealthEvent) => heard.push(event));
    await eventually(async () => portal.connected, { what: 'the portal socket' });

    const box = connect(stack.demo.device.token);
    await eventually(async () => (await stored(deviceId)).status === 'online', { what: 'online' });
    await eventually(async () => heard.some((e) => e.current.online), {
      what: 'online heard live',
    });
    box.disconnect();
    await eventually(async () => (await stored(deviceId)).status === 'offline', {
      what: 'offline',
    });
    await eventually(async () => heard.at(-1)?.current.online === false, {
      what: 'offline heard live',
    });
    const lastSeen = (await stored(deviceId)).lastSeen!;

    // Four minutes of silence is not yet an outage; six is, and sweeping again changes nothing.
    const after = (ms: number) => new Date(lastSeen.getTime() + ms);
    expect(await noticeSilentBoxes(notifying(), settings, after(4 * minute))).toEqual({
      noticed: 0,
    });
    expect(await noticeSilentBoxes(notifying(), settings, after(6 * minute))).toEqual({
      noticed: 1,
    });
    expect(await noticeSilentBoxes(notifying(), settings, after(7 * minute))).toEqual({
      noticed: 0,
    });
    const outageId = `offline|${deviceId}|${lastSeen.getTime()}`;
    expect(await settled(1)).toEqual([`notify:box_offline:${outageId}`]);
    // The account's defaults: SMS and email; operators' routing: Slack. Once each.
    await heardOnce(
      'the Zen box in Main office has been offline for 6 minutes',
      'The Zen box in Main office is offline',
    );

    const open = await call(
      `${stack.apiUrl}/api/devices/${deviceId}/outages`,
      stack.demo.customer.token,
    );
    expect(open.body.outages).toEqual([
      { id: outageId, kind: 'offline', start: lastSeen.toISOString(), failed: [] },
    ]);

    // Back: the outage ends and people hear once, though the box reconnects twice.
    const back = connect(stack.demo.device.token);
    await eventually(async () => (await HealthOutage.findById(outageId).lean())?.end, {
      what: 'the outage closed',
    });
    back.disconnect();
    connect(stack.demo.device.token);
    await eventually(async () => (await stored(deviceId)).status === 'online', {
      what: 'online again',
    });
    expect(await noticeSilentBoxes(notifying(), settings)).toEqual({ noticed: 0 });
    expect(await settled(2)).toEqual([
      `notify:box_offline:${outageId}`,
      `notify:box_online:${outageId}`,
    ]);
    const closed = await call(
      `${stack.apiUrl}/api/devices/${deviceId}/outages`,
      stack.demo.customer.token,
    );
    expect(closed.body.outages[0]).toMatchObject({ id: outageId, end: expect.any(String) });
    await heardOnce(
      'the Zen box in Main office is back online',
      'The Zen box in Main office is back online',
    );
    // Still once each, and the offline message was not sent again.
    await heardOnce(
      'the Zen box in Main office has been offline',
      'The Zen box in Main office is offline',
    );
    // No incident was opened for the silence (routed to Slack only): nothing to resolve.
    expect(notifier().pagerDuty.events).toEqual([]);
  });

  it('opens one outage and one notification when two sweeps run at once', async () => {
    const lastSeen = new Date(Date.now() - 10 * minute);
    await Device.updateOne({ deviceId: other.deviceId }, { $set: { status: 'offline', lastSeen } });
    const before = (await notifications()).length;

    const runs = await Promise.all([
      noticeSilentBoxes(notifying(), settings),
      noticeSilentBoxes(notifying(), settings),
      noticeSilentBoxes(notifying(), settings),
    ]);
    expect(runs.reduce((sum, r) => sum + r.noticed, 0)).toBe(1);
    expect(await HealthOutage.countDocuments({ deviceId: other.deviceId })).toBe(1);
    const ids = await settled(before + 1);
    expect(ids).toContain(`notify:box_offline:offline|${other.deviceId}|${lastSeen.getTime()}`);
  });

  it('counts a box still marked online as silent only once its lastSeen is too old for any beat', async () => {
    // Its API instance died holding the socket: nobody wrote the drop.
    const deviceId = await addBox('stuck', 'online', new Date(Date.now() - 10 * minute));
    expect(await noticeSilentBoxes(notifying(), settings)).toEqual({ noticed: 0 });
    await Device.updateOne(
      { deviceId },
      { $set: { lastSeen: new Date(Date.now() - 16 * minute) } },
    );
    expect(await noticeSilentBoxes(notifying(), settings)).toEqual({ noticed: 1 });
  });

  it('runs the sweep from its Temporal Schedule, created idempotently', async () => {
    const lastSeen = new Date(Date.now() - 10 * minute);
    const deviceId = await addBox('scheduled', 'offline', lastSeen);
    await ensureHealthSchedules(stack.client, stack.taskQueue, scheduleIds);
    await ensureHealthSchedules(stack.client, stack.taskQueue, scheduleIds);
    await stack.client.schedule.getHandle(scheduleIds.offlineSweep).trigger();
    const key = `notify:box_offline:offline|${deviceId}|${lastSeen.getTime()}`;
    await eventually(async () => (await notifications()).includes(key), {
      what: 'the scheduled sweep to notify',
      timeoutMs: 30_000,
    });
    expect(await HealthOutage.countDocuments({ deviceId })).toBe(1);
  });
});
