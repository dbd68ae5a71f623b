import { Router } from 'express';
import {
  CreateCustomerRequest,
  UpdateCustomerRequest,
  subscriptionOf,
} from '../../contracts/tenancy';
import type { Logger } from '../../observability/logger';
import { Customer, Site } from '../../store/models';
import { Partner } from '../../store/partners';
import { assertSignedIn, type Principal, type RequireRole } from '../auth';
import { HttpError } from '../errors';
import { invite, mailAfterAnswer } from '../tenancy/invitations';
import { assertPhonesFree, distinctPhones, isDuplicateKey, phoneInUse } from '../tenancy/phones';
import { param, reachableCustomer } from '../tenancy/scope';
import { customerView } from '../tenancy/views';

// The console's customers: operators and partners onboard a business (its numbers, its
// sites, its first admin invited by e-mail) and change it later; a customer's people read
// their own, and its admins keep their contact details. The list is paged elsewhere.

export function tenantsRouter(requireRole: RequireRole, logger: Logger): Router {
  const router = Router();

  router.post('/customers', requireRole('operator', 'partner'), async (req, res) => {
    const body = CreateCustomerRequest.parse(req.body);
    const principal = req.principal!;
    const partnerId = await partnerOfNewCustomer(principal, body.partnerId);
    const phones = distinctPhones(body.phones);
    await assertPhonesFree(phones);
    let created;
    try {
      created = await Customer.create({
        businessName: body.businessName,
        email: body.email,
        phones,
        primaryPhone: phones[0],
        subscriptionStatus: body.subscriptionStatus,
        ...(partnerId && { partnerId }),
      });
    } catch (err) {
      // Another customer took one of the numbers meanwhile (primaryPhone is unique).
      if (isDuplicateKey(err)) throw phoneInUse();
      throw err;
    }
    const customer = created.toObject();
    // Sites are listed oldest first: a millisecond apart, they keep the order they were given.
    const now = Date.now();
    await Site.create(
      body.sites.map((site, i) => ({
        ...site,
        customerId: customer._id,
        createdAt: new Date(now + i),
      })),
    );
    const mailing = await invite(body.admin ?? { email: body.email }, {
      kind: 'customer',
      customerId: customer._id,
      businessName: customer.businessName,
      role: 'admin',
    });
    logger.info(
      {
        customerId: customer._id,
        partnerId,
        subscriptionStatus: body.subscriptionStatus,
        by: who(principal),
      },
      'customer onboarded',
    );
    mailAfterAnswer(res, mailing, logger);
    res.status(201).json({ customer: await customerView(customer) });
  });

  router.get('/customers/:id', requireRole('operator', 'partner', 'customer'), async (req, res) => {
    const customer = await reachableCustomer(req.principal!, param(req.params.id));
    res.json(await customerView(customer));
  });

  router.patch(
    '/customers/:id',
    requireRole('operator', 'partner', 'customer_admin'),
    async (req, res) => {
      const body = UpdateCustomerRequest.parse(req.body);
      const principal = req.principal!;
      const customer = await reachableCustomer(principal, param(req.params.id));
      assertMayChange(principal, body);
      // What a business pays for changes only by a person's hand, never an API token's.
      if (body.subscriptionStatus !== undefined) assertSignedIn(principal);
      const set: Record<string, unknown> = {};
      const unset: Record<string, 1> = {};
      if (body.businessName !== undefined) set.businessName = body.businessName;
      if (body.email !== undefined) set.email = body.email;
      if (body.subscriptionStatus !== undefined) set.subscriptionStatus = body.subscriptionStatus;
      if (body.phones !== undefined) {
        const phones = distinctPhones(body.phones);
        await assertPhonesFree(phones, customer._id);
        set.phones = phones;
        set.primaryPhone = phones[0];
      }
      if (body.partnerId === null) unset.partnerId = 1;
      else if (body.partnerId !== undefined) {
        await assertPartnerExists(body.partnerId);
        set.partnerId = body.partnerId;
      }
      try {
        if (Object.keys(set).length) await Customer.updateOne({ _id: customer._id }, { $set: set });
        if (Object.keys(unset).length) {
          await Customer.updateOne({ _id: customer._id }, { $unset: unset });
        }
      } catch (err) {
        if (isDuplicateKey(err)) throw phoneInUse();
        throw err;
      }
      const before = subscriptionOf(customer.subscriptionStatus).status;
      if (body.subscriptionStatus !== undefined && body.subscriptionStatus !== before) {
        logger.info(
          {
            customerId: customer._id,
            from: before,
            to: body.subscriptionStatus,
            by: who(principal),
          },
          'subscription changed',
        );
      }
      res.json(await customerView((await Customer.findById(customer._id).lean())!));
    },
  );

  return router;
}

/** A partner's new customer is always its own; an operator may name any partner that exists. */
async function partnerOfNewCustomer(
  principal: Principal,
  asked: string | undefined,
): Promise<string | undefined> {
  if (principal.role === 'partner') {
    if (asked !== undefined && asked !== principal.partnerId) {
      throw new HttpError(403, 'FORBIDDEN', 'A partner adds customers for itself only');
    }
    return principal.partnerId;
  }
  if (asked !== undefined) await assertPartnerExists(asked);
  return asked;
}

async function assertPartnerExists(partnerId: string): Promise<void> {
  if (!(await Partner.exists({ _id: partnerId }))) {
    throw new HttpError(400, 'PARTNER_NOT_FOUND', 'No such partner');
  }
}

/** Operators change everything; partners all but the partner; a customer's admins their contact details. */
function assertMayChange(principal: Principal, body: UpdateCustomerRequest): void {
  if (principal.role === 'operator') return;
  if (body.partnerId !== undefined) {
    throw new HttpError(403, 'FORBIDDEN', "Only Zen & Zen can change a customer's partner");
  }
  if (principal.role === 'customer' && body.subscriptionStatus !== undefined) {
    throw new HttpError(
      403,
      'FORBIDDEN',
      'The subscription is changed by Zen & Zen or your IT partner: please ask them',
    );
  }
}

/** Who did it, for the log: ids and roles, never names. */
function who(principal: Principal) {
  return { id: principal.id, role: principal.role, partnerId: principal.partnerId };
}
