import { Router } from 'express';
import { InvitePersonRequest, UpdatePersonRequest } from '../../contracts/tenancy';
import type { Logger } from '../../observability/logger';
import { Session, User } from '../../store/models';
import { requireSignedIn, type RequireRole } from '../auth';
import { HttpError } from '../errors';
import { invite, mailAfterAnswer } from '../tenancy/invitations';
import { param, reachableCustomer } from '../tenancy/scope';
import { personView, roleOf } from '../tenancy/views';

// A customer's people: its admins (and its partner, and operators) invite them by e-mail,
// make them admin or member, and remove them. A business always keeps one admin.

export function peopleRouter(requireRole: RequireRole, logger: Logger): Router {
  const router = Router();
  const managers = requireRole('operator', 'partner', 'customer_admin');

  router.get('/customers/:id/people', managers, async (req, res) => {
    const customer = await reachableCustomer(req.principal!, param(req.params.id));
    const people = await peopleOf(customer._id);
    res.json({ people: people.map(personView) });
  });

  router.post('/customers/:id/people', managers, requireSignedIn, async (req, res) => {
    const body = InvitePersonRequest.parse(req.body);
    const customer = await reachableCustomer(req.principal!, param(req.params.id));
    const mailing = await invite(body, {
      kind: 'customer',
      customerId: customer._id,
      businessName: customer.businessName,
      role: body.role,
    });
    mailAfterAnswer(res, mailing, logger);
    res.status(201).json({
      invitation: { email: body.email, ...(body.name && { name: body.name }), role: body.role },
    });
  });

  router.patch('/customers/:id/people/:userId', managers, requireSignedIn, async (req, res) => {
    const { role } = UpdatePersonRequest.parse(req.body);
    const customer = await reachableCustomer(req.principal!, param(req.params.id));
    const person = await personOf(customer._id, param(req.params.userId));
    if (roleOf(person) === 'admin' && role === 'member')
      await keepAnAdmin(customer._id, person._id);
    await User.updateOne({ _id: person._id }, { $set: { customerRole: role } });
    logger.info(
      { customerId: customer._id, userId: person._id, role, by: req.principal!.id },
      "a person's role changed",
    );
    res.json({ person: personView({ ...person, customerRole: role }) });
  });

  router.delete('/customers/:id/people/:userId', managers, requireSignedIn, async (req, res) => {
    const customer = await reachableCustomer(req.principal!, param(req.params.id));
    const person = await personOf(customer._id, param(req.params.userId));
    if (roleOf(person) === 'admin') await keepAnAdmin(customer._id, person._id);
    await User.deleteOne({ _id: person._id });
    // Their sign-ins end at once (access tokens also check the person still exists).
    await Session.deleteMany({ userId: person._id });
    logger.info(
      { customerId: customer._id, userId: person._id, by: req.principal!.id },
      'a person was removed',
    );
    res.status(204).end();
  });

  return router;
}

function peopleOf(customerId: string) {
  return User.find({ role: 'customer', customerId }).sort({ createdAt: 1 }).lean();
}

async function personOf(customerId: string, userId: string) {
  const person = await User.findOne({ _id: userId, role: 'customer', customerId }).lean();
  if (!person) throw new HttpError(404, 'PERSON_NOT_FOUND', 'No such person at this customer');
  return person;
}

/** 409 LAST_ADMIN when `leaving` is the customer's only admin. */
async function keepAnAdmin(customerId: string, leaving: string): Promise<void> {
  const others = (await peopleOf(customerId)).filter(
    (p) => p._id !== leaving && roleOf(p) === 'admin',
  );
  if (others.length === 0) {
    throw new HttpError(
      409,
      'LAST_ADMIN',
      'This is the last admin of this business: make someone else an admin first',
    );
  }
}
