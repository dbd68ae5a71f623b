import type { Socket } from 'socket.io-client';
import type { SimulatedAgent } from '../../agent/simulatedAgent';
import { Device } from '../../store/models';
import { connectDevice } from '../support/cases';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';

// Device tokens: rotated or revoked, the old token stops working at once, and
// the device's open socket is dropped.

function nextDisconnect(socket: Socket): Promise<string> {
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
}

function refusedOnReconnect(socket: Socket): Promise<string> {
  return new Promise((resolve) => socket.once('connect_error', (err) => resolve(err.message)));
}

describe('device tokens', () => {
  let stack: TestStack;
  let other: OtherTenant;
  let device: SimulatedAgent | undefined;

  beforeAll(async () => {
    stack = await startTestStack('tokens', { worker: false });
    other = await seedOtherTenant();
  });
  afterEach(() => device?.stop());
  afterAll(() => stack?.stop());

  const register = (token: string) =>
    call(`${stack.apiUrl}/api/device/register`, token, {
      body: { deviceId: stack.demo.device.deviceId, serialNumber: 'ZEN-1' },
    });

  async function connected(token: string): Promise<SimulatedAgent> {
    const agent = connectDevice(
      { ...stack, demo: { ...stack.demo, device: { ...stack.demo.device, token } } },
      'healthy',
    );
    await eventually(async () => agent.socket.connected, { what: 'the device to connect' });
    return agent;
  }

  it('the device rotates its own token: the old one is dead, the socket is dropped', async () => {
    const oldToken = stack.demo.device.token;
    device = await connected(oldToken);
    const dropped = nextDisconnect(device.socket);
    const refused = refusedOnReconnect(device.socket);

    const rotated = await call(`${stack.apiUrl}/api/device/token/rotate`, oldToken, { body: {} });
    expect(rotated.status).toBe(200);
    const newToken = rotated.body.deviceToken as string;
    expect(newToken).toMatch(/^zd_/);

    expect(await dropped).toBe('io server disconnect');
    // socket.io does not reconnect by itself after a server disconnect; the agent would, with
    // its old token here, and is refused.
    device.socket.connect();
    expect(await refused).toBe('unauthorized');
    expect((await register(oldToken)).status).toBe(401);
    expect((await register(newToken)).status).toBe(200);
    stack.demo.device.token = newToken;
  });

  it('a customer revokes their device: refused everywhere, offline at once', async () => {
    device = await connected(stack.demo.device.token);
    const dropped = nextDisconnect(device.socket);
    const url = `${stack.apiUrl}/api/devices/${stack.demo.device.deviceId}/revoke`;

    // Another customer cannot even tell the device exists.
    expect((await call(url, other.token, { body: {} })).status).toBe(404);
    expect(device.socket.connected).toBe(true);

    const revoked = await call(url, stack.demo.customer.token, { body: {} });
    expect(revoked).toEqual({
      status: 200,
      body: { deviceId: stack.demo.device.deviceId, revoked: true },
    });
    expect(await dropped).toBe('io server disconnect');
    expect((await register(stack.demo.device.token)).status).toBe(401);
    const doc = await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean();
    expect(doc?.revokedAt).toBeInstanceOf(Date);
    await eventually(
      async () =>
        (await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean())?.status ===
        'offline',
      { what: 'the device to show offline' },
    );

    // Enrolled again with a code from its own customer, it comes back with a new token;
    // another customer's code cannot take it over.
    const enroll = async (customerToken: string) => {
      const code = await call(`${stack.apiUrl}/api/devices/enrollment-codes`, customerToken, {
        body: {},
      });
      return call(`${stack.apiUrl}/api/device/enroll`, undefined, {
        body: {
          code: code.body.code,
          deviceId: stack.demo.device.deviceId,
          serialNumber: doc!.serialNumber,
        },
      });
    };
    expect((await enroll(other.token)).status).toBe(409);
    const back = await enroll(stack.demo.customer.token);
    expect(back.status).toBe(201);
    expect((await register(back.body.deviceToken)).status).toBe(200);
    const after = await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean();
    expect(after?.revokedAt).toBeUndefined();
    stack.demo.device.token = back.body.deviceToken;
  });

  it('an operator issues a new token that works, for any customer', async () => {
    const url = `${stack.apiUrl}/api/devices/${other.deviceId}/token/rotate`;
    expect((await call(url, stack.demo.customer.token, { body: {} })).status).toBe(404);
    const rotated = await call(url, stack.demo.operator.token, { body: {} });
    expect(rotated.status).toBe(200);
    const registered = await call(`${stack.apiUrl}/api/device/register`, rotated.body.deviceToken, {
      body: { deviceId: other.deviceId, serialNumber: 'RPI' },
    });
    expect(registered.status).toBe(200);
    expect(
      (
        await call(`${stack.apiUrl}/api/device/register`, other.deviceToken, {
          body: { deviceId: other.deviceId, serialNumber: 'RPI' },
        })
      ).status,
    ).toBe(401);
  });
});
