import { Router } from 'express';
import { CustomerPreferences } from '../../contracts/api';
import { Customer } from '../../store/models';
import type { RequireRole } from '../auth';
import { HttpError } from '../errors';

// A customer's own account: contact details and the proactive-call opt-in; operators'
// list of customers (for the portal's filters).

export function customersRouter(requireRole: RequireRole): Router {
  const router = Router();

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

  router.patch('/customers/me', requireRole('customer'), async (req, res) => {
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
