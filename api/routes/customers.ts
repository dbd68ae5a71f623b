import { Router } from 'express';
import {
  CustomerPreferences,
  ListCustomersQuery,
  type CustomersResponse,
} from '../../contracts/api';
import { SlaSettings } from '../../contracts/technician';
import { Customer } from '../../store/models';
import type { Principal, RequireRole } from '../auth';
import { HttpError } from '../errors';
import { reachesCustomer } from '../tenantScope';
import {
  afterCursor,
  pageOf,
  pageSort,
  searchPattern,
  withConditions,
  type PageOrder,
} from '../paging';
import { tenantScope } from '../tenantScope';

// A customer's own account: contact details and the proactive-call opt-in; operators'
// (and partners') list of customers and each customer's service levels.

export function customersRouter(requireRole: RequireRole, defaultSla: SlaSettings): Router {
  const router = Router();

  // The service levels new cases of this customer run against (cases already open keep
  // the ones they started with).
  // A partner reads its own customers' (another's look missing); setting them is Zen & Zen's.
  router.get('/customers/:id/sla', requireRole('operator', 'partner'), async (req, res) => {
    const id = String(req.params.id);
    const customer = reachesCustomer(req.principal!, id)
      ? await Customer.findById(id, { sla: 1 }).lean()
      : null;
    if (!customer) throw new HttpError(404, 'CUSTOMER_NOT_FOUND', 'No such customer');
    const own = SlaSettings.safeParse(customer.sla);
    res.json({ sla: own.success ? own.data : defaultSla, own: own.success });
  });

  router.put('/customers/:id/sla', requireRole('operator'), async (req, res) => {
    const sla = SlaSettings.parse(req.body);
    const { matchedCount } = await Customer.updateOne(
      { _id: String(req.params.id) },
      { $set: { sla } },
    );
    if (matchedCount === 0) throw new HttpError(404, 'CUSTOMER_NOT_FOUND', 'No such customer');
    res.json({ sla, own: true });
  });

  // A page of customers by business name: operators see all, a partner its own.
  router.get('/customers', requireRole('operator', 'partner'), async (req, res) => {
    const query = ListCustomersQuery.parse(req.query);
    const after = afterCursor(byName, query.cursor);
    const pattern = searchPattern(query.q);
    const rows = await Customer.find(
      withConditions(customerScope(req.principal!), [after, pattern && { businessName: pattern }]),
      { businessName: 1, subscriptionStatus: 1, partnerId: 1 },
    )
      .sort(pageSort(byName))
      .limit(query.limit + 1)
      .lean();
    const page = pageOf(byName, rows, query.limit);
    const body: CustomersResponse = {
      customers: page.rows.map((c) => ({
        id: c._id,
        businessName: c.businessName,
        subscriptionStatus: c.subscriptionStatus ?? 'active',
        partnerId: c.partnerId ?? undefined,
      })),
      nextCursor: page.nextCursor,
    };
    res.json(body);
  });

  router.get('/customers/me', requireRole('customer'), async (req, res) => {
    res.json(await account(req.principal!.customerId));
  });

  router.patch('/customers/me', requireRole('customer_admin'), async (req, res) => {
    const { callOnAgentFault } = CustomerPreferences.parse(req.body);
    await Customer.updateOne({ _id: req.principal!.customerId }, { $set: { callOnAgentFault } });
    res.json(await account(req.principal!.customerId));
  });

  return router;
}

const byName: PageOrder = { list: 'customers', key: 'businessName', kind: 'string', direction: 1 };

/** The caller's tenant scope over the customers themselves, whose id is `_id`. */
function customerScope(principal: Principal): Record<string, unknown> {
  const { customerId, ...rest } = tenantScope(principal);
  return customerId === undefined ? rest : { ...rest, _id: customerId };
}

async function account(customerId: string | undefined) {
  const customer = await Customer.findById(customerId).lean();
  if (!customer) throw new HttpError(404, 'CUSTOMER_NOT_FOUND', 'No such customer');
  return {
    id: customer._id,
    businessName: customer.businessName,
    primaryPhone: customer.primaryPhone,
    email: customer.email,
    callOnAgentFault: customer.callOnAgentFault ?? false,
  };
}
