import { Router } from 'express';
import { CustomerPreferences } from '../../contracts/api';
import { SlaSettings } from '../../contracts/technician';
import { Customer } from '../../store/models';
import type { RequireRole } from '../auth';
import { HttpError } from '../errors';
import { reachesCustomer } from '../tenantScope';

// A customer's own account: contact details and the proactive-call opt-in; operators'
// list of customers (for the portal's filters) and each customer's service levels.

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

  router.get('/customers', requireRole('operator'), async (_req, res) => {
    const customers = await Customer.find({}, { businessName: 1 })
      .sort({ businessName: 1 })
      .limit(1000)
      .lean();
    res.json({ customers: customers.map((c) => ({ id: c._id, businessName: c.businessName })) });
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
