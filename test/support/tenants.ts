import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { Case, Customer, Device, Site } from '../../store/models';
import { Partner } from '../../store/partners';
import { hashToken, newToken } from '../../store/tokens';
import { createPersonWithToken, type PersonFields } from './people';

// A second tenant beside the demo one, for proving that tenants stay apart; partners (MSPs)
// serving each of them; and a member beside the demo customer's admin.

export interface OtherTenant {
  customerId: string;
  email: string;
  /** The customer user's API token. */
  token: string;
  deviceId: string;
  deviceToken: string;
  siteId: string;
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
  return {
    customerId: customer._id,
    email,
    token,
    deviceId,
    deviceToken,
    siteId: site._id,
    caseId,
  };
}

/** A person with an API token. */
export interface Person {
  userId: string;
  email: string;
  token: string;
}

export interface SeededPartner extends Person {
  partnerId: string;
  /** The customers it serves. */
  customerIds: string[];
}

/** An MSP serving `customerIds`, and one of its people. */
export async function seedPartner(name: string, customerIds: string[]): Promise<SeededPartner> {
  const partner = await Partner.create({ name });
  await Customer.updateMany(
    { _id: mongoose.trusted({ $in: customerIds }) },
    { $set: { partnerId: partner._id } },
  );
  const person = await seedPerson({ role: 'partner', partnerId: partner._id });
  return { ...person, partnerId: partner._id, customerIds };
}

/** A person of a customer with the member role: uses the service, manages nothing. */
export async function seedMember(customerId: string): Promise<Person> {
  return seedPerson({ role: 'customer', customerId, customerRole: 'member' });
}

async function seedPerson(fields: Omit<PersonFields, 'email'>): Promise<Person> {
  const email = `${fields.role}-${randomUUID().slice(0, 10)}@people.example`;
  const { id, token } = await createPersonWithToken({ ...fields, email });
  return { userId: id, email, token };
}

export interface PartnerWorld {
  /** Serves the demo customer (the stack's live boxes). */
  ours: SeededPartner;
  /** Serves the other tenant, whose ids every cross-partner call aims at. */
  theirs: SeededPartner;
  other: OtherTenant;
  /** A member of the demo customer, beside its admin (the demo customer's own token). */
  member: Person;
}

/** Two partners, each with one customer of its own, and a member of the demo customer. */
export async function seedPartners(demoCustomerId: string): Promise<PartnerWorld> {
  const other = await seedOtherTenant();
  return {
    ours: await seedPartner('Northside IT', [demoCustomerId]),
    theirs: await seedPartner('Harbor Managed Services', [other.customerId]),
    other,
    member: await seedMember(demoCustomerId),
  };
}
