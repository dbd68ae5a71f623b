import { io, type Socket } from 'socket.io-client';
import { Device } from '../../store/models';
import { eventually, startTestStack, type TestStack } from '../support/stack';

// Heartbeats are acknowledged every time but written only when they say
// something new: thousands of boxes beating every 30 s must not each cost a write.

describe('device heartbeats', () => {
  let stack: TestStack;
  let socket: Socket | undefined;
  beforeAll(async () => {
    stack = await startTestStack('heartbeats', { worker: false });
  });
  afterAll(async () => {
    socket?.disconnect();
    await stack.stop();
  });

  const stored = async () =>
    (await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean())!;
  const beat = async (health: Record<string, unknown>) =>
    expect(await socket!.timeout(5000).emitWithAck('heartbeat', health)).toEqual({ ok: true });

  it('writes a changed health at once and skips repeats until lastSeen is due', async () => {
    socket = io(`${stack.apiUrl}/device`, {
      auth: { token: stack.demo.device.token },
      transports: ['websocket'],
    });
    await eventually(async () => (await stored()).status === 'online', { what: 'the connection' });

    await beat({ led: 'idle', uptimeSeconds: 10, summary: 'all good' });
    const first = await stored();
    expect(first.health).toMatchObject({ led: 'idle', uptimeSeconds: 10 });

    // Same health, only the uptime grew: acknowledged, not written.
    await beat({ led: 'idle', uptimeSeconds: 40, summary: 'all good' });
    const repeat = await stored();
    expect(repeat.lastSeen).toEqual(first.lastSeen);
    expect(repeat.health).toMatchObject({ uptimeSeconds: 10 });

    // The LED changed: written at once.
    await beat({ led: 'fault', uptimeSeconds: 70, summary: 'no internet' });
    const changed = await stored();
    expect(changed.health).toMatchObject({ led: 'fault', uptimeSeconds: 70 });
    expect(changed.lastSeen!.getTime()).toBeGreaterThanOrEqual(first.lastSeen!.getTime());
  });

  it('writes a change of cloud path or LTE budget state at once, and LTE bytes only with lastSeen', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const lte = (bytes: number, exhausted = false) => ({
      led: 'idle_lte',
      cloudPath: 'lte',
      lteData: { month, bytes, budgetBytes: 500_000_000, exhausted },
    });
    await beat({ led: 'idle', cloudPath: 'wired' });
    const wired = await stored();
    expect(wired.health).toMatchObject({ cloudPath: 'wired' });
    expect(wired.cloudPathSince).toEqual(wired.lastSeen);

    // The office network cannot reach the cloud: the box moved to LTE.
    await beat(lte(1_000));
    const moved = await stored();
    expect(moved.health).toMatchObject({ cloudPath: 'lte', lteData: { bytes: 1_000 } });
    expect(moved.cloudPathSince).toEqual(moved.lastSeen);
    expect(moved.cloudPathSince!.getTime()).toBeGreaterThan(wired.cloudPathSince!.getTime());

    // Only the byte count grew: acknowledged, not written until lastSeen is due.
    await beat(lte(250_000));
    const counted = await stored();
    expect(counted.lastSeen).toEqual(moved.lastSeen);
    expect(counted.health).toMatchObject({ lteData: { bytes: 1_000 } });

    // The budget is used up: written at once, the path's start kept.
    await beat(lte(500_000_000, true));
    const exhausted = await stored();
    expect(exhausted.health).toMatchObject({ lteData: { bytes: 500_000_000, exhausted: true } });
    expect(exhausted.cloudPathSince).toEqual(moved.cloudPathSince);
  });

  it('keeps when the box moved to its path across a reconnect on the same path', async () => {
    const before = await stored();
    socket!.disconnect();
    await eventually(async () => (await stored()).status === 'offline', { what: 'the drop' });
    socket = io(`${stack.apiUrl}/device`, {
      auth: { token: stack.demo.device.token },
      transports: ['websocket'],
    });
    await eventually(async () => (await stored()).status === 'online', { what: 'the reconnect' });
    const month = new Date().toISOString().slice(0, 7);
    await beat({ cloudPath: 'lte', lteData: { month, bytes: 600_000_000, exhausted: true } });
    const after = await stored();
    expect(after.lastSeen!.getTime()).toBeGreaterThan(before.lastSeen!.getTime());
    expect(after.cloudPathSince).toEqual(before.cloudPathSince);
  });

  it('counts heartbeats by whether they were written, for the scraper', async () => {
    const res = await fetch(`${stack.apiUrl}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/zen_device_heartbeats_total\{written="true"\} [1-9]/);
    expect(text).toMatch(/zen_device_heartbeats_total\{written="false"\} [1-9]/);
  });
});
