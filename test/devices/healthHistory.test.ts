import { io, type Socket } from 'socket.io-client';
import type { HistoryPoint, MonitorInterval } from '../../contracts/monitor';
import { compactHistory } from '../../api/monitoring/compaction';
import type { DeviceHealthEvent } from '../../api/monitoring/live';
import { hourPoints, minutePoints } from '../../api/monitoring/historyRead';
import { storeIntervals } from '../../api/monitoring/history';
import {
  ensureHealthIndexes,
  HealthHours,
  HealthLateMinutes,
  HealthMinutes,
  minuteBucketId,
} from '../../store/healthHistory';
import { Device } from '../../store/models';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';

// The box's monitor intervals become its health history: minutes for 48 hours, hours for
// a year, each interval counted once however often it is sent; uptime and outages come
// from what was stored, and people read only their own boxes' history.

const minute = 60_000;
const hour = 60 * minute;

function floorToMinute(ms: number): number {
  return Math.floor(ms / minute) * minute;
}

/** A healthy or failing interval starting at `at`, with seq `seq`. */
function interval(
  seq: number,
  at: number,
  failed: MonitorInterval['failed'] = [],
): MonitorInterval {
  const internetDown = failed.includes('internet');
  return {
    seq,
    start: new Date(at).toISOString(),
    seconds: 60,
    gateway: { sent: 3, lost: 0, p50Ms: 1.5, p95Ms: 2 },
    internet: internetDown
      ? { sent: 3, lost: 3 }
      : { sent: 3, lost: 0, p50Ms: 20 + (seq % 3), p95Ms: 30 },
    dns: { sent: 1, lost: 0, p50Ms: 8 },
    failed,
    path: 'wired',
  };
}

const healthy = { state: 'healthy', failing: [], since: new Date(0).toISOString() } as const;

describe('health history', () => {
  let stack: TestStack;
  let other: OtherTenant;
  let box: Socket | undefined;
  const deviceId = () => stack.demo.device.deviceId;
  const customer = () => stack.demo.customer.token;

  beforeAll(async () => {
    stack = await startTestStack('health-history', { worker: false });
    await ensureHealthIndexes();
    other = await seedOtherTenant();
  });
  afterAll(async () => {
    box?.disconnect();
    await stack.stop();
  });

  const beat = async (intervals: MonitorInterval[]) =>
    box!.timeout(5000).emitWithAck('heartbeat', {
      led: 'idle',
      monitor: { state: healthy, intervals },
    });

  it('stores intervals sent twice and in overlapping batches once, and acknowledges the highest seq', async () => {
    box = io(`${stack.apiUrl}/device`, {
      auth: { token: stack.demo.device.token },
      transports: ['websocket'],
    });
    await eventually(
      async () => (await Device.findOne({ deviceId: deviceId() }).lean())?.status === 'online',
      {
        what: 'the box online',
      },
    );
    const start = floorToMinute(Date.now()) - 30 * minute;
    const batch = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) =>
        interval(from + i, start + (from + i) * minute),
      );

    expect(await beat(batch(0, 9))).toEqual({ ok: true, monitorSeq: 9 });
    // The acknowledgement was lost: the same ten again, then a batch overlapping them.
    expect(await beat(batch(0, 9))).toEqual({ ok: true, monitorSeq: 9 });
    expect(await beat(batch(5, 19))).toEqual({ ok: true, monitorSeq: 19 });

    const res = await call(
      `${stack.apiUrl}/api/devices/${deviceId()}/health?from=${new Date(start).toISOString()}&resolution=minute`,
      customer(),
    );
    expect(res.status).toBe(200);
    const points = res.body.points as HistoryPoint[];
    expect(points).toHaveLength(20);
    expect(points.map((p) => Date.parse(p.at))).toEqual(
      batch(0, 19).map((i) => Date.parse(i.start)),
    );
    expect(points.reduce((sum, p) => sum + p.minutes, 0)).toBe(20);
    expect(points[0]).toMatchObject({
      internetLossPct: 0,
      internetP50Ms: 20,
      gatewayP50Ms: 1.5,
      dnsP50Ms: 8,
    });

    // Hour resolution sums the same minutes, each once.
    const hours = await hourPoints(deviceId(), new Date(start - hour), new Date());
    expect(hours.reduce((sum, p) => sum + p.minutes, 0)).toBe(20);
    expect(res.body.uptime).toEqual({ day: 100, week: 100, month: 100 });
    expect(res.body.current).toMatchObject({ online: true, monitor: { state: 'healthy' } });
  });

  it('turns known minutes into uptime and outages', async () => {
    const device = { deviceId: other.deviceId, docId: 'unused' };
    // Sixty minutes ending ten minutes ago: 6 minutes without internet, then 3 without the gateway.
    const start = floorToMinute(Date.now()) - 70 * minute;
    const known = Array.from({ length: 60 }, (_, i) => {
      const failed: MonitorInterval['failed'] =
        i >= 20 && i < 26 ? ['internet'] : i >= 40 && i < 43 ? ['gateway', 'internet'] : [];
      return interval(i, start + i * minute, failed);
    });
    await storeIntervals(device, known);

    const health = await call(`${stack.apiUrl}/api/devices/${other.deviceId}/health`, other.token);
    expect(health.status).toBe(200);
    expect(health.body.uptime.day).toBe(85);
    const failing = (health.body.points as HistoryPoint[]).filter((p) => p.failedMinutes > 0);
    expect(failing).toHaveLength(9);
    expect(failing[0]).toMatchObject({ internetLossPct: 100, failed: ['internet'] });

    const outages = await call(
      `${stack.apiUrl}/api/devices/${other.deviceId}/outages`,
      other.token,
    );
    expect(outages.status).toBe(200);
    const iso = (n: number) => new Date(start + n * minute).toISOString();
    expect(outages.body).toEqual({
      deviceId: other.deviceId,
      outages: [
        {
          id: `gateway|${iso(40)}`,
          kind: 'gateway',
          start: iso(40),
          end: iso(43),
          failed: ['gateway', 'internet'],
        },
        {
          id: `internet|${iso(20)}`,
          kind: 'internet',
          start: iso(20),
          end: iso(26),
          failed: ['internet'],
        },
      ],
    });
  });

  it('serves a box only to its own customer and operators, with the same 404 for none and not yours', async () => {
    const path = (id: string) => `${stack.apiUrl}/api/devices/${id}/health`;
    const notYours = await call(path(other.deviceId), customer());
    const none = await call(path('pi-no-such-box'), customer());
    expect(notYours.status).toBe(404);
    expect(notYours.body).toEqual(none.body);
    const outagesNotYours = await call(
      `${stack.apiUrl}/api/devices/${other.deviceId}/outages`,
      customer(),
    );
    expect(outagesNotYours.status).toBe(404);

    const operator = await call(path(other.deviceId), stack.demo.operator.token);
    expect(operator.status).toBe(200);
    expect(operator.body.deviceId).toBe(other.deviceId);
    expect((await call(path(other.deviceId), undefined)).status).toBe(401);
  });

  it("tells the portal live when the monitor's state changes, and not when it repeats", async () => {
    const heard: DeviceHealthEvent[] = [];
    const portal = io(`${stack.apiUrl}/portal`, {
      auth: { token: customer() },
      transports: ['websocket'],
    });
    portal.on('device:health', (event: DeviceHealthEvent) => heard.push(event));
    await eventually(async () => portal.connected, { what: 'the portal socket' });
    try {
      const since = new Date().toISOString();
      const fault = { state: 'fault', failing: ['internet'], since } as const;
      const report = (state: object) =>
        box!
          .timeout(5000)
          .emitWithAck('heartbeat', { led: 'fault', monitor: { state, intervals: [] } });
      await report(fault);
      await eventually(async () => heard.length === 1, { what: 'the fault heard live' });
      expect(heard[0]).toMatchObject({
        deviceId: deviceId(),
        current: { online: true, monitor: fault },
      });
      await report(fault);
      await report({ ...healthy, since });
      await eventually(async () => heard.length === 2, { what: 'the recovery heard live' });
      expect(heard[1]!.current.monitor).toEqual({ ...healthy, since });
    } finally {
      portal.disconnect();
    }
  });

  it('refuses bad ranges with a clear 400', async () => {
    const ask = async (query: string) =>
      call(`${stack.apiUrl}/api/devices/${deviceId()}/health?${query}`, customer());
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

    const tooOld = await ask(`from=${ago(72 * hour)}&resolution=minute`);
    expect(tooOld.status).toBe(400);
    expect(tooOld.body.error).toMatch(/Minute resolution reaches back 48 hours/);
    expect((await ask(`from=${ago(72 * hour)}&resolution=hour`)).status).toBe(200);

    const reversed = await ask(`from=${ago(hour)}&to=${ago(2 * hour)}`);
    expect(reversed.status).toBe(400);
    expect(reversed.body.error).toMatch(/"from" must be before "to"/);
    expect((await ask(`from=${ago(400 * 24 * hour)}&resolution=hour`)).status).toBe(400);
    expect((await ask('resolution=second')).status).toBe(400);
    expect((await ask('from=yesterday')).status).toBe(400);
    expect((await ask('limit=5')).status).toBe(400);
  });

  it('compacts minutes older than 48 hours into hours, counting a late copy once, and drops hours older than a year', async () => {
    const device = { deviceId: deviceId(), docId: 'unused' };
    const now = new Date();
    // Three hours, three days ago, stored as they arrived then.
    const base = Math.floor((now.getTime() - 72 * hour) / hour) * hour;
    const old = Array.from({ length: 180 }, (_, i) =>
      interval(1000 + i, base + i * minute, i % 60 < 6 ? ['dns'] : []),
    );
    for (let h = 0; h < 3; h++) {
      const slice = old.slice(h * 60, h * 60 + 60);
      await storeIntervals(device, slice, new Date(base + (h * 60 + 59) * minute));
    }
    // A year and two months ago: nothing should keep this month.
    const ancient = new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth() - 2, 1));
    await HealthHours.create({
      _id: `${deviceId()}|ancient`,
      deviceId: deviceId(),
      month: ancient,
    });

    const result = await compactHistory(now, 1000);
    expect(result.buckets).toBeGreaterThanOrEqual(3);
    expect(result.monthsRemoved).toBe(1);
    for (let h = 0; h < 3; h++) {
      expect(
        await HealthMinutes.exists({ _id: minuteBucketId(deviceId(), new Date(base + h * hour)) }),
      ).toBeNull();
    }
    const read = () => hourPoints(deviceId(), new Date(base), new Date(base + 3 * hour));
    const hours = await read();
    expect(hours.map((p) => [p.at, p.minutes, p.failedMinutes])).toEqual(
      [0, 1, 2].map((h) => [new Date(base + h * hour).toISOString(), 60, 6]),
    );
    expect(hours[0]).toMatchObject({
      internetLossPct: 0,
      internetP50Ms: 21,
      dnsP50Ms: 8,
      failed: ['dns'],
    });

    // The box resends the first hour (a backlog it never saw acknowledged): it arrives late,
    // is compacted on the next run and still counts once.
    await storeIntervals(device, old.slice(0, 60), now);
    expect(await HealthLateMinutes.countDocuments()).toBe(1);
    await compactHistory(now, 1000);
    expect(await HealthLateMinutes.countDocuments()).toBe(0);
    expect((await read()).map((p) => p.minutes)).toEqual([60, 60, 60]);
    // Minute resolution no longer holds them.
    expect(await minutePoints(deviceId(), new Date(base), new Date(base + 3 * hour))).toEqual([]);
  });
});
