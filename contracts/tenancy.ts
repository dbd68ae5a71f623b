import { z } from 'zod';

// Who a customer is to us (their subscription), who may act for them (roles), and
// the console's request bodies: creating customers, inviting their people, sites.

/**
 * What a customer pays for. trial and active: full service. past_due: full service
 * for now, with a reminder. suspended: the box keeps watching, but no new case opens.
 * cancelled: nothing opens or watches; people may still sign in to read and export.
 */
export const SubscriptionStatus = z.enum(['trial', 'active', 'past_due', 'suspended', 'cancelled']);
export type SubscriptionStatus = z.infer<typeof SubscriptionStatus>;

export interface SubscriptionRules {
  /** A case may open (portal, phone, or the box noticing). */
  opensCases: boolean;
  /** The box's monitor raises faults and people are told. */
  monitors: boolean;
  /** What the portal and the phone say, in plain words; undefined when nothing needs saying. */
  notice?: string;
}

const billing = 'Please call Zen & Zen on our support number or reply to our last invoice email';

export const subscriptionRules: Record<SubscriptionStatus, SubscriptionRules> = {
  trial: { opensCases: true, monitors: true },
  active: { opensCases: true, monitors: true },
  past_due: {
    opensCases: true,
    monitors: true,
    notice: `Your last payment has not reached us. Service continues for now. ${billing}.`,
  },
  suspended: {
    opensCases: false,
    monitors: true,
    notice: `Your Zen & Zen service is paused, so we cannot open a new support case. Your Zen box keeps watching your network. ${billing} to resume service.`,
  },
  cancelled: {
    opensCases: false,
    monitors: false,
    notice: `Your Zen & Zen service has ended, so we cannot open a new support case. ${billing} to start again.`,
  },
};

/** A customer's person: an admin manages people, sites, contacts and boxes; a member uses the service. */
export const CustomerRole = z.enum(['admin', 'member']);
export type CustomerRole = z.infer<typeof CustomerRole>;

/**
 * Who a route admits. `customer` is any of a customer's people; `customer_admin` only
 * their admins. A partner (an MSP) reaches only the customers assigned to it.
 */
export const AccessRole = z.enum([
  'operator',
  'partner',
  'customer_admin',
  'customer',
  'device',
  'service',
]);
export type AccessRole = z.infer<typeof AccessRole>;

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 phone number such as +15551234567');
const name = z.string().trim().min(1).max(200);
const email = z.string().trim().toLowerCase().email().max(254);

export const SiteRequest = z
  .object({ name, address: z.string().trim().max(500).optional() })
  .strict();
export type SiteRequest = z.infer<typeof SiteRequest>;

export const InvitePersonRequest = z
  .object({ email, name: name.optional(), role: CustomerRole.default('member') })
  .strict();
export type InvitePersonRequest = z.infer<typeof InvitePersonRequest>;

export const UpdatePersonRequest = z.object({ role: CustomerRole }).strict();

/** POST /api/customers: an operator or partner onboards a business. */
export const CreateCustomerRequest = z
  .object({
    businessName: name,
    email,
    /** The numbers the business calls from: caller ID finds the customer by any of them. */
    phones: z.array(e164).min(1).max(10),
    sites: z.array(SiteRequest).min(1).max(50),
    /** Its first admin, invited by e-mail (default: the business e-mail). */
    admin: InvitePersonRequest.omit({ role: true }).optional(),
    subscriptionStatus: SubscriptionStatus.default('trial'),
    /** Operators only: the partner that serves this customer. Partners always get their own. */
    partnerId: z.string().min(1).max(100).optional(),
  })
  .strict();
export type CreateCustomerRequest = z.infer<typeof CreateCustomerRequest>;

/** PATCH /api/customers/:id */
export const UpdateCustomerRequest = z
  .object({
    businessName: name.optional(),
    email: email.optional(),
    phones: z.array(e164).min(1).max(10).optional(),
    subscriptionStatus: SubscriptionStatus.optional(),
    /** Operators only; null takes the customer from its partner. */
    partnerId: z.string().min(1).max(100).nullable().optional(),
  })
  .strict();
export type UpdateCustomerRequest = z.infer<typeof UpdateCustomerRequest>;

/** POST /api/partners: an operator adds an MSP. */
export const CreatePartnerRequest = z.object({ name }).strict();

/** Lists page by an opaque cursor; `q` searches the list's names. */
export const PageQuery = z.object({
  // Room for a sort key of 200 characters of any script, in base64url JSON.
  cursor: z.string().max(1500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  q: z.string().trim().max(100).optional(),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** Every paged list answers its rows and the cursor of the next page (absent on the last). */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

// ---- The console's answers (api/routes/tenants.ts, people.ts, sites.ts, partners.ts) ----

/** PATCH /api/customers/:id/sites/:siteId: what is sent changes; the rest stays. */
export const UpdateSiteRequest = SiteRequest.partial().strict();
export type UpdateSiteRequest = z.infer<typeof UpdateSiteRequest>;

/** POST /api/partners/:id/people: an operator invites one of a partner's people. */
export const InvitePartnerPersonRequest = InvitePersonRequest.omit({ role: true }).strict();
export type InvitePartnerPersonRequest = z.infer<typeof InvitePartnerPersonRequest>;

export const SiteView = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string().optional(),
});
export type SiteView = z.infer<typeof SiteView>;

export const CustomerView = z.object({
  id: z.string(),
  businessName: z.string(),
  email: z.string(),
  phones: z.array(z.string()),
  subscriptionStatus: SubscriptionStatus,
  /** What the subscription means for the customer, in plain words (absent when nothing). */
  notice: z.string().optional(),
  partnerId: z.string().optional(),
  partnerName: z.string().optional(),
  sites: z.array(SiteView),
  createdAt: z.string(),
});
export type CustomerView = z.infer<typeof CustomerView>;

export const PersonView = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().optional(),
  role: CustomerRole,
  createdAt: z.string(),
});
export type PersonView = z.infer<typeof PersonView>;

/**
 * The answer to an invitation, the same whether or not the address already has an
 * account elsewhere (which it must not reveal): what was asked for, nothing more.
 */
export const InvitationView = z.object({
  email: z.string(),
  name: z.string().optional(),
  role: z.union([CustomerRole, z.literal('partner')]),
});
export type InvitationView = z.infer<typeof InvitationView>;

export const PartnerView = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
export type PartnerView = z.infer<typeof PartnerView>;

/** What a customer's person reads of their subscription (GET /api/auth/session). */
export const SubscriptionView = z.object({
  status: SubscriptionStatus,
  notice: z.string().optional(),
});
export type SubscriptionView = z.infer<typeof SubscriptionView>;

/** The subscription's rules and plain words for a stored status (old documents: active). */
export function subscriptionOf(status: string | null | undefined): SubscriptionView & {
  rules: SubscriptionRules;
} {
  const parsed = SubscriptionStatus.safeParse(status);
  const known = parsed.success ? parsed.data : 'active';
  const rules = subscriptionRules[known];
  return { status: known, ...(rules.notice && { notice: rules.notice }), rules };
}
