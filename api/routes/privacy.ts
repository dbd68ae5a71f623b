import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import { EmptyBody } from '../../contracts/api';
import { EraseCustomerRequest } from '../../contracts/privacy';
import { recordPrivacyAction } from '../../privacy/actions';
import { eraseCustomer, erasePerson } from '../../privacy/erasure';
import { exportCustomer } from '../../privacy/export';
import { Customer, User } from '../../store/models';
import { requireSignedIn, type Principal, type RequireRole } from '../auth';
import { HttpError } from '../errors';

// Operators' privacy actions: a customer's data exported, a customer or one of its people
// erased. Each is recorded in privacy_actions (insert-only).

const idParam = z.string().min(1).max(100);

export function privacyRouter(temporal: Client, requireRole: RequireRole): Router {
  const router = Router();
  // A person signed in with the emailed code, never a script's token: these cannot be undone.
  const operator = [requireRole('operator'), requireSignedIn];

  router.get('/customers/:id/export', ...operator, async (req, res) => {
    const customerId = idParam.parse(req.params.id);
    const data = await exportCustomer(temporal, customerId);
    if (!data) throw notFound();
    await record(req.principal!, 'export_customer', customerId, undefined, {
      cases: data.cases.length,
      people: data.people.length,
    });
    res.setHeader('Content-Disposition', `attachment; filename="customer-${customerId}.json"`);
    res.json(data);
  });

  router.post('/customers/:id/erase', ...operator, async (req, res) => {
    const customerId = idParam.parse(req.params.id);
    const { confirm } = EraseCustomerRequest.parse(req.body);
    const customer = await Customer.findById(customerId, { businessName: 1 }).lean();
    if (!customer) throw notFound();
    if (confirm.trim() !== customer.businessName) {
      throw new HttpError(
        400,
        'CONFIRMATION_MISMATCH',
        "Type the business's name exactly to confirm: erasure cannot be undone",
      );
    }
    const counts = await eraseCustomer(customerId);
    const id = await record(req.principal!, 'erase_customer', customerId, undefined, counts);
    res.json({ erased: true, customerId, record: id, ...counts });
  });

  router.post('/customers/:id/people/:userId/erase', ...operator, async (req, res) => {
    const customerId = idParam.parse(req.params.id);
    const userId = idParam.parse(req.params.userId);
    EmptyBody.parse(req.body ?? {});
    // The same answer for "no such person" and "not this customer's".
    const person = await User.exists({ _id: userId, customerId });
    if (!person) throw new HttpError(404, 'PERSON_NOT_FOUND', 'No such person at this customer');
    const counts = await erasePerson(customerId, userId);
    const id = await record(req.principal!, 'erase_person', customerId, userId, counts);
    res.json({ erased: true, customerId, userId, record: id, ...counts });
  });

  return router;
}

function notFound(): HttpError {
  return new HttpError(404, 'CUSTOMER_NOT_FOUND', 'No such customer');
}

function record(
  principal: Principal,
  action: Parameters<typeof recordPrivacyAction>[0]['action'],
  customerId: string,
  userId: string | undefined,
  counts: Record<string, number>,
): Promise<string> {
  return recordPrivacyAction({
    action,
    actor: { id: principal.id, role: principal.role },
    customerId,
    ...(userId && { userId }),
    counts,
  });
}
