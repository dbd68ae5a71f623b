import type { Server as SocketServer, Socket } from 'socket.io';
import { z } from 'zod';
import { Device } from '../store/models';
import { principalForToken } from './auth';

// The /device namespace: each Pi holds one outbound socket.io connection,
// authenticated with its device token.

const Heartbeat = z.object({
  led: z.string().max(40).optional(),
  uptimeSeconds: z.number().nonnegative().optional(),
  summary: z.string().max(500).optional(),
});

export function deviceRoom(deviceId: string): string {
  return `device:${deviceId}`;
}

export function attachDeviceGateway(io: SocketServer): void {
  const devices = io.of('/device');

  devices.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    const principal = typeof token === 'string' ? await principalForToken(token) : undefined;
    if (!principal || principal.role !== 'device' || !principal.deviceId) {
      return next(new Error('unauthorized'));
    }
    socket.data.deviceId = principal.deviceId;
    next();
  });

  devices.on('connection', async (socket: Socket) => {
    const deviceId = socket.data.deviceId as string;
    await socket.join(deviceRoom(deviceId));
    await Device.updateOne({ deviceId }, { $set: { status: 'online', lastSeen: new Date() } });

    socket.on('heartbeat', async (payload: unknown, ack?: (reply: unknown) => void) => {
      const parsed = Heartbeat.safeParse(payload);
      if (!parsed.success) return ack?.({ ok: false, error: 'invalid heartbeat' });
      await Device.updateOne(
        { deviceId },
        { $set: { status: 'online', lastSeen: new Date(), health: parsed.data } },
      );
      ack?.({ ok: true });
    });

    socket.on('disconnect', async () => {
      // Another socket of the same device may still be connected (a quick reconnect).
      const stillThere = await devices.in(deviceRoom(deviceId)).fetchSockets();
      if (stillThere.length === 0) {
        await Device.updateOne({ deviceId }, { $set: { status: 'offline', lastSeen: new Date() } });
      }
    });
  });
}
