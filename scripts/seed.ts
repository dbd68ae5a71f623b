import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Customer, Device, Site, User } from '../store/models';
import { hashToken, newToken } from '../store/tokens';

// The demo tenant that `npm start` creates on first start. Tokens are stored
// hashed, so the plain ones live only in .data/demo-credentials.json.

export interface DemoCredentials {
  customer: { id: string; businessName: string; email: string; phone: string; token: string };
  operator: { email: string; token: string };
  device: { deviceId: string; token: string };
  siteId: string;
}

const demo = {
  businessName: 'Bayside Dental',
  phone: '+15551234567',
  customerEmail: 'owner@bayside-dental.example',
  operatorEmail: 'operator@zen-support.example',
  site: 'Main office',
  deviceId: 'pi-demo-001',
};

export function credentialsPath(dataDir: string): string {
  return path.join(dataDir, 'demo-credentials.json');
}

/** Creates the demo tenant once; later starts reuse it and its saved tokens. */
export async function seedDemo(
  dataDir: string,
  { deviceId = demo.deviceId } = {},
): Promise<DemoCredentials> {
  const file = credentialsPath(dataDir);
  const saved = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials)
    : undefined;

  const customer =
    (await Customer.findOne({ primaryPhone: demo.phone })) ??
    (await Customer.create({
      businessName: demo.businessName,
      primaryPhone: demo.phone,
      email: demo.customerEmail,
    }));
  const site =
    (await Site.findOne({ customerId: customer._id })) ??
    (await Site.create({ customerId: customer._id, name: demo.site }));

  // Reuse saved tokens when they still match; otherwise issue new ones.
  const customerToken = await ensureUserToken(
    demo.customerEmail,
    'customer',
    customer._id,
    saved?.customer.token,
  );
  const operatorToken = await ensureUserToken(
    demo.operatorEmail,
    'operator',
    undefined,
    saved?.operator.token,
  );
  const deviceToken =
    saved?.device.token && (await Device.exists({ tokenHash: hashToken(saved.device.token) }))
      ? saved.device.token
      : newToken('zd');
  await Device.updateOne(
    { deviceId },
    {
      $set: { tokenHash: hashToken(deviceToken) },
      $setOnInsert: { customerId: customer._id, siteId: site._id, serialNumber: `SN-${deviceId}` },
    },
    { upsert: true },
  );

  const credentials: DemoCredentials = {
    customer: {
      id: customer._id,
      businessName: customer.businessName,
      email: demo.customerEmail,
      phone: demo.phone,
      token: customerToken,
    },
    operator: { email: demo.operatorEmail, token: operatorToken },
    device: { deviceId, token: deviceToken },
    siteId: site._id,
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  return credentials;
}

async function ensureUserToken(
  email: string,
  role: 'customer' | 'operator',
  customerId: string | undefined,
  savedToken: string | undefined,
): Promise<string> {
  if (savedToken && (await User.exists({ email, tokenHash: hashToken(savedToken) }))) {
    return savedToken;
  }
  const token = newToken('zu');
  await User.updateOne(
    { email },
    { $set: { tokenHash: hashToken(token), role, customerId } },
    { upsert: true },
  );
  return token;
}
