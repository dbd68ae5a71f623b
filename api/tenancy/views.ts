import {
  subscriptionOf,
  type CustomerRole,
  type CustomerView,
  type PersonView,
  type SiteView,
} from '../../contracts/tenancy';
import { Partner } from '../../store/partners';
import { Site } from '../../store/models';

// The console's answers, built from stored documents.

interface StoredCustomer {
  _id: string;
  businessName: string;
  email: string;
  primaryPhone: string;
  phones?: string[] | null;
  subscriptionStatus?: string | null;
  partnerId?: string | null;
  createdAt?: Date;
}

export function siteView(site: { _id: string; name: string; address?: string | null }): SiteView {
  return { id: site._id, name: site.name, ...(site.address ? { address: site.address } : {}) };
}

export async function customerView(customer: StoredCustomer): Promise<CustomerView> {
  const [sites, partner] = await Promise.all([
    Site.find({ customerId: customer._id }).sort({ createdAt: 1 }).lean(),
    customer.partnerId ? Partner.findById(customer.partnerId, { name: 1 }).lean() : null,
  ]);
  const { status, notice } = subscriptionOf(customer.subscriptionStatus);
  return {
    id: customer._id,
    businessName: customer.businessName,
    email: customer.email,
    phones: customer.phones?.length ? customer.phones : [customer.primaryPhone],
    subscriptionStatus: status,
    ...(notice && { notice }),
    ...(customer.partnerId && { partnerId: customer.partnerId }),
    ...(partner && { partnerName: partner.name }),
    sites: sites.map(siteView),
    createdAt: (customer.createdAt ?? new Date(0)).toISOString(),
  };
}

interface StoredPerson {
  _id: string;
  email: string;
  name?: string | null;
  customerRole?: string | null;
  createdAt?: Date;
}

/** Accounts from before roles (no customerRole) were each business's owner: admins. */
export function roleOf(person: { customerRole?: string | null }): CustomerRole {
  return person.customerRole === 'member' ? 'member' : 'admin';
}

export function personView(person: StoredPerson): PersonView {
  return {
    id: person._id,
    email: person.email,
    ...(person.name ? { name: person.name } : {}),
    role: roleOf(person),
    createdAt: (person.createdAt ?? new Date(0)).toISOString(),
  };
}
