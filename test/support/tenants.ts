import { Case, Customer, Device, Site } from '../../store/models';
import { hashToken, newToken } from '../../store/tokens';
import { createPersonWithToken } from './people';

// A second tenant beside the demo one, for proving that tenants stay apart.

export interface OtherTenant {
  customerId: string;
  email: string;
  /** The customer user's API token. */
  token: string;
  deviceId: string;
  deviceToken: string;
  /** An escalated case of this tenant, written straight into the store. */
  caseId: string;
}

export async function seedOtherTenant(): Promise<OtherTenant> {
  const email = 'owner@harbor-bakery.example';
  const customer = await Customer.create({
    businessName: 'Harbor Bakery',
    primaryPhone: '+15557654321',
    email,
  });
  const site = await Site.create({ customerId: customer._id, name: 'Bakery' });
  const { token } = await createPersonWithToken({
    email,
    role: 'customer',
    customerId: customer._id,
  });
  const deviceId = `pi-harbor-${customer._id.slice(0, 8)}`;
  const deviceToken = newToken('zd');
  await Device.create({
    customerId: customer._id,
    siteId: site._id,
    deviceId,
    serialNumber: `SN-${deviceId}`,
    tokenHash: hashToken(deviceToken),
  });
  const caseId = `case-${customer._id}`;
  await Case.create({
    _id: caseId,
    workflowId: `support-case-${deviceId}`,
    customerId: customer._id,
    deviceId,
    channel: 'phone',
    status: 'escalated',
    step: 'Escalated to a technician: the internet provider is down',
    issueCategory: 'isp',
    summary: 'Card terminal offline',
  });
  return { customerId: customer._id, email, token, deviceId, deviceToken, caseId };
}
