import type { Request } from 'express';
import type { z } from 'zod';
import type { RegisterDeviceRequest } from '../contracts/api';
import { Device, Site } from '../store/models';
import type { Principal } from './auth';
import { hashToken, newToken } from '../store/tokens';
import { HttpError } from './errors';
import { tenantScope } from './tenantScope';

// Creating a device and its token: one path for a person enrolling it and for
// the Pi trading an enrollment code.

export type NewDevice = Pick<
  z.infer<typeof RegisterDeviceRequest>,
  'deviceId' | 'serialNumber' | 'networkInfo'
>;

/** Where the device's socket.io connection goes: this API, as the caller reached it. */
export function cloudEndpoint(req: Request): string {
  return `${req.protocol === 'https' ? 'wss' : 'ws'}://${req.get('host')}/device`;
}

/** The site a person may add a device to: a customer's own (default: the first), any for operators. */
export async function siteFor(principal: Principal, siteId: string | undefined) {
  const site = await Site.findOne({
    ...tenantScope(principal),
    ...(siteId !== undefined && { _id: siteId }),
  }).lean();
  if (!site) throw new HttpError(404, 'SITE_NOT_FOUND', 'No such site');
  return site;
}

/** A device this customer revoked: enrolling it again gives it a new token. */
async function revokedOf(customerId: string, deviceId: string) {
  const device = await Device.findOne({ deviceId }, { customerId: 1, revokedAt: 1 }).lean();
  return device?.revokedAt && device.customerId === customerId ? device : undefined;
}

/**
 * Refuses a device id or serial number that is already registered, except the
 * customer's own revoked device coming back.
 */
export async function assertNewDevice(customerId: string, device: NewDevice): Promise<void> {
  if (await revokedOf(customerId, device.deviceId)) return;
  if (await Device.exists({ deviceId: device.deviceId })) {
    throw new HttpError(409, 'DEVICE_EXISTS', `Device ${device.deviceId} is already registered`);
  }
  if (await Device.exists({ serialNumber: device.serialNumber })) {
    throw new HttpError(
      409,
      'DEVICE_EXISTS',
      `A device with serial number ${device.serialNumber} is already registered`,
    );
  }
}

/** Creates the device at a site (or re-keys its revoked self); returns its token, stored only hashed. */
export async function createDevice(
  site: { _id: string; customerId: string },
  device: NewDevice,
): Promise<string> {
  await assertNewDevice(site.customerId, device);
  const deviceToken = newToken('zd');
  const fields = {
    siteId: site._id,
    serialNumber: device.serialNumber,
    tokenHash: hashToken(deviceToken),
    networkConfig: device.networkInfo ?? {},
  };
  const revoked = await revokedOf(site.customerId, device.deviceId);
  if (revoked) {
    await Device.updateOne({ _id: revoked._id }, { $set: fields, $unset: { revokedAt: 1 } });
    return deviceToken;
  }
  await Device.create({ customerId: site.customerId, deviceId: device.deviceId, ...fields });
  return deviceToken;
}
