import { Router } from 'express';
import { z } from 'zod';
import { EmptyBody } from '../../contracts/api';
import { Device } from '../../store/models';
import { hashToken, newToken } from '../../store/tokens';
import type { Principal, RequireRole } from '../auth';
import type { DeviceGateway } from '../deviceGateway';
import { HttpError } from '../errors';
import { withinScope } from '../tenantScope';

// Device tokens are stored only as hashes; a new token replaces the old one at
// once, and the device's open connections are dropped, so a leaked or revoked
// token stops working immediately, sockets included.

const DeviceParams = z.object({ deviceId: z.string().min(1).max(100) });

export function deviceTokensRouter(requireRole: RequireRole, gateway: DeviceGateway): Router {
  const router = Router();

  /** The device rotates its own token (it reconnects with the new one). */
  router.post('/device/token/rotate', requireRole('device'), async (req, res) => {
    EmptyBody.parse(req.body);
    const deviceId = req.principal!.deviceId!;
    const deviceToken = await replaceToken(deviceId, {});
    // Dropped after the answer has left: the device needs it to reconnect.
    res.on('finish', () => void gateway.disconnect(deviceId));
    res.json({ deviceToken });
  });

  /** A new token for a device, to install on it by hand (the old one is dead at once). */
  router.post(
    '/devices/:deviceId/token/rotate',
    requireRole('customer_admin', 'partner', 'operator'),
    async (req, res) => {
      const { deviceId } = DeviceParams.parse(req.params);
      EmptyBody.parse(req.body);
      await ownedDevice(req.principal!, deviceId);
      const deviceToken = await replaceToken(deviceId, {});
      await gateway.disconnect(deviceId);
      res.json({ deviceToken });
    },
  );

  /** Revoked: no token works until the device is enrolled again. */
  router.post(
    '/devices/:deviceId/revoke',
    requireRole('customer_admin', 'partner', 'operator'),
    async (req, res) => {
      const { deviceId } = DeviceParams.parse(req.params);
      EmptyBody.parse(req.body);
      await ownedDevice(req.principal!, deviceId);
      // Nobody ever sees this token: the hash only keeps the unique index filled.
      await replaceToken(deviceId, { revokedAt: new Date(), status: 'offline' });
      await gateway.disconnect(deviceId);
      res.json({ deviceId, revoked: true });
    },
  );

  return router;
}

async function ownedDevice(principal: Principal, deviceId: string) {
  const scope = withinScope(principal, { deviceId });
  const device = scope && (await Device.findOne(scope, { _id: 1 }).lean());
  // Another customer's device looks exactly like a missing one.
  if (!device) throw new HttpError(404, 'DEVICE_NOT_FOUND', 'No such device');
  return device;
}

async function replaceToken(deviceId: string, set: Record<string, unknown>): Promise<string> {
  const token = newToken('zd');
  await Device.updateOne({ deviceId }, { $set: { tokenHash: hashToken(token), ...set } });
  return token;
}
