import type { Request } from 'express';
import type { z } from 'zod';
import type { RegisterDeviceRequest } from '../contracts/api';
import { Device, Site } from '../store/models';
import type { Principal } from './auth';
import { hashToken, newToken } from '../store/tokens';
import { HttpError } from './errors';

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
  const customerId = principal.role === 'customer' ? principal.customerId : undefined;
  const site = siteId
    ? await Site.findOne({ _id: siteId, ...(customerId ? { customerId } : {}) }).lean()
    : await Site.findOne({ customerId }).lean();
  if (!site) throw new HttpError(404, 'SITE_NOT_FOUND', 'No such site');
  return site;
}

/** Refuses a device id or serial number that is already registered. */
export async function assertNewDevice(device: NewDevice): Promise<void> {
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

/** Creates the device at a site; returns its token, which is stored only hashed. */
export async function createDevice(
  site: { _id: string; customerId: string },
  device: NewDevice,
): Promise<string> {
  await assertNewDevice(device);
  const deviceToken = newToken('zd');
  await Device.create({
    customerId: site.customerId,
    siteId: site._id,
    deviceId: device.deviceId,
    serialNumber: device.serialNumber,
    tokenHash: hashToken(deviceToken),
    networkConfig: device.networkInfo ?? {},
  });
  return deviceToken;
}
