import { randomUUID } from 'node:crypto';
import { Customer, Device, Site, User } from '../../store/models';
import { hashToken, newToken } from '../../store/tokens';

// A second customer with its own site, device and user, for tenant-isolation tests.

export interface OtherTenant {
  customerId: string;
  userToken: string;
  deviceId: string;
  deviceToken: string;
}

export async function seedOtherTenant(label = 'other'): Promise<OtherTenant> {
  const suffix = randomUUID().slice(0, 8);
  const email = `owner-${suffix}@${label}.example`;
  const customer = await Customer.create({
    businessName: `Other Bakery ${suffix}`,
    primaryPhone: '+15550000001',
    email,
  });
  const site = await Site.create({ customerId: customer._id, name: 'Shop' });
  const deviceId = `pi-${label}-${suffix}`;
  const deviceToken = newToken('zd');
  await Device.create({
    customerId: customer._id,
    siteId: site._id,
    deviceId,
    serialNumber: `RPI-${suffix}`,
    tokenHash: hashToken(deviceToken),
  });
  const userToken = newToken('zu');
  await User.create({
    email,
    role: 'customer',
    customerId: customer._id,
    tokenHash: hashToken(userToken),
  });
  return { customerId: String(customer._id), userToken, deviceId, deviceToken };
}
