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

  it('counts heartbeats by whether they were written, for the scraper', async () => {
    const res = await fetch(`${stack.apiUrl}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/zen_device_heartbeats_total\{written="true"\} [1-9]/);
    expect(text).toMatch(/zen_device_heartbeats_total\{written="false"\} [1-9]/);
  });
});
