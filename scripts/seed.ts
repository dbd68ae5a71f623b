import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Customer, Device, Site, User } from '../store/models';
import { ApiToken, issueApiToken } from '../store/apiTokens';
import { hashToken, newToken } from '../store/tokens';

// The demo tenant that `npm start` creates on first start. Tokens are stored
// hashed, so the plain ones live only in .data/demo-credentials.json. The people's tokens
// are integration tokens (store/apiTokens.ts): the customer's acts as its admin, the
// operator's as an operator; a new one is made when the saved one expired or was revoked.

export interface DemoBox {
  deviceId: string;
  /** The site it stands in: what the portal and the phone call name it by. */
  site: string;
  token: string;
}

export interface DemoCredentials {
  customer: { id: string; businessName: string; email: string; phone: string; token: string };
  operator: { email: string; token: string };
  /** The first box (the one the README's examples use). */
  device: { deviceId: string; token: string };
  /** Every simulated box of the demo site. */
  boxes: DemoBox[];
  siteId: string;
}

const demo = {
  businessName: 'Bayside Dental',
  phone: '+15551234567',
  customerEmail: 'owner@bayside-dental.example',
  operatorEmail: 'operator@zen-support.example',
  site: 'Main office',
};

/** `npm start`'s demo site: a few boxes, each where a small business has one. */
export const demoBoxes: readonly { deviceId: string; site: string }[] = [
  { deviceId: 'pi-demo-001', site: 'Front office' },
  { deviceId: 'pi-demo-002', site: 'Warehouse' },
  { deviceId: 'pi-demo-003', site: 'Back room' },
];

export function credentialsPath(dataDir: string): string {
  return path.join(dataDir, 'demo-credentials.json');
}

/**
 * Creates the demo tenant once; later starts reuse it and its saved tokens. By default
 * it has the demo site's boxes; tests give one device id of their own (at the main office).
 */
export async function seedDemo(
  dataDir: string,
  { deviceId }: { deviceId?: string } = {},
): Promise<DemoCredentials> {
  const wanted = deviceId ? [{ deviceId, site: demo.site }] : demoBoxes;
  const file = credentialsPath(dataDir);
  const saved = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials)
    : undefined;

  const customer =
    (await Customer.findOne({ primaryPhone: demo.phone })) ??
    (await Customer.create({
      businessName: demo.businessName,
      primaryPhone: demo.phone,
      phones: [demo.phone],
      email: demo.customerEmail,
    }));
  // Tenants seeded before caller ID read every number: their one number is the list.
  if (!customer.phones?.length) {
    await Customer.updateOne({ _id: customer._id }, { $set: { phones: [demo.phone] } });
  }
  const siteOf = async (name: string) =>
    (await Site.findOne({ customerId: customer._id, name })) ??
    (await Site.create({ customerId: customer._id, name }));

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
  const boxes: DemoBox[] = [];
  for (const box of wanted) {
    const site = await siteOf(box.site);
    const savedToken =
      saved?.boxes?.find((b) => b.deviceId === box.deviceId)?.token ??
      (saved?.device.deviceId === box.deviceId ? saved.device.token : undefined);
    const token =
      savedToken && (await Device.exists({ tokenHash: hashToken(savedToken) }))
        ? savedToken
        : newToken('zd');
    await Device.updateOne(
      { deviceId: box.deviceId },
      {
        $set: { tokenHash: hashToken(token), siteId: site._id },
        $setOnInsert: { customerId: customer._id, serialNumber: `SN-${box.deviceId}` },
      },
      { upsert: true },
    );
    boxes.push({ deviceId: box.deviceId, site: box.site, token });
  }
  const first = boxes[0]!;

  const credentials: DemoCredentials = {
    customer: {
      id: customer._id,
      businessName: customer.businessName,
      email: demo.customerEmail,
      phone: demo.phone,
      token: customerToken,
    },
    operator: { email: demo.operatorEmail, token: operatorToken },
    device: { deviceId: first.deviceId, token: first.token },
    boxes,
    siteId: (await siteOf(first.site))._id,
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
  const user = (await User.findOneAndUpdate(
    { email },
    // The business's owner is its admin: they manage its people, sites and boxes.
    { $set: { role, customerId, ...(role === 'customer' && { customerRole: 'admin' }) } },
    { upsert: true, new: true },
  ).lean())!;
  const saved = savedToken
    ? await ApiToken.findOne({ tokenHash: hashToken(savedToken) }).lean()
    : null;
  if (saved?.createdBy === user._id && !saved.revokedAt && saved.expiresAt > new Date()) {
    return savedToken!;
  }
  const issued = await issueApiToken({
    name: 'Demo token',
    role: role === 'operator' ? 'operator' : 'customer_admin',
    customerId,
    createdBy: user._id,
  });
  return issued.token;
}
