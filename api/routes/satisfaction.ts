import { Router } from 'express';
import type { CaseStatus } from '../../contracts/case';
import {
  SatisfactionAnswer,
  type CaseSatisfactionView,
  type RatingPage,
} from '../../contracts/satisfaction';
import { Case, Customer } from '../../store/models';
import {
  rateableCase,
  recordSatisfaction,
  satisfactionOf,
  type RecordOutcome,
} from '../../store/satisfaction';
import type { Principal, RequireRole } from '../auth';
import { tenantScope } from '../tenantScope';
import { HttpError } from '../errors';
import { caseOfRatingToken } from '../satisfaction/links';

// How did we do: the customer rates a closed case once, by the link in the closing email (no
// sign-in: the signed link stands for the case) or on the case page in the portal. The phone
// keypad asks too (../voice/phoneRating.ts). A second answer, on any channel, is refused.

const notFound = () => new HttpError(404, 'NOT_FOUND', 'This link or case was not found');
const caseNotFound = (id: string) => new HttpError(404, 'CASE_NOT_FOUND', `No case ${id}`);
const idShape = /^[\w-]{1,100}$/;

export function satisfactionRouter(requireRole: RequireRole): Router {
  const router = Router();

  router.get('/satisfaction/:token', async (req, res) => {
    const caseId = caseOfRatingToken(String(req.params.token));
    const doc = caseId ? await Case.findById(caseId, { customerId: 1 }).lean() : null;
    if (!doc) throw notFound();
    const [rateable, customer, answer] = await Promise.all([
      rateableCase(doc._id, doc.customerId),
      Customer.findById(doc.customerId, { businessName: 1 }).lean(),
      satisfactionOf(doc._id),
    ]);
    if (!rateable) throw notRateable();
    const page: RatingPage = {
      businessName: customer?.businessName ?? '',
      outcome: outcomeWords(rateable.status),
      ...(rateable.closedAt && { closedAt: rateable.closedAt.toISOString() }),
      answered: answer !== undefined,
    };
    res.json(page);
  });

  router.post('/satisfaction/:token', async (req, res) => {
    const caseId = caseOfRatingToken(String(req.params.token));
    const doc = caseId ? await Case.findById(caseId, { customerId: 1 }).lean() : null;
    if (!doc) throw notFound();
    const answer = SatisfactionAnswer.parse(req.body);
    answered(await recordSatisfaction(doc._id, doc.customerId, answer, 'email'));
    res.status(201).json(await satisfactionView(doc._id, doc.customerId));
  });

  router.get(
    '/cases/:id/satisfaction',
    requireRole('customer', 'partner', 'operator'),
    async (req, res) => {
      const doc = await caseOf(req.principal!, String(req.params.id));
      res.json(await satisfactionView(doc._id, doc.customerId));
    },
  );

  // Customers only: an operator does not answer for the customer.
  router.post('/cases/:id/satisfaction', requireRole('customer'), async (req, res) => {
    const doc = await caseOf(req.principal!, String(req.params.id));
    const answer = SatisfactionAnswer.parse(req.body);
    answered(await recordSatisfaction(doc._id, doc.customerId, answer, 'portal'));
    res.status(201).json(await satisfactionView(doc._id, doc.customerId));
  });

  return router;
}

async function caseOf(principal: Principal, id: string) {
  if (!idShape.test(id)) throw caseNotFound(id.slice(0, 100));
  const doc = await Case.findOne({ ...tenantScope(principal), _id: id }, { customerId: 1 }).lean();
  if (!doc) throw caseNotFound(id);
  return doc;
}

async function satisfactionView(caseId: string, customerId: string) {
  const [answer, rateable] = await Promise.all([
    satisfactionOf(caseId),
    rateableCase(caseId, customerId),
  ]);
  const view: CaseSatisfactionView = {
    rateable: rateable !== undefined && answer === undefined,
    ...(answer && {
      answer: {
        score: answer.score,
        ...(answer.comment && { comment: answer.comment }),
        channel: answer.channel,
        at: answer.at,
      },
    }),
  };
  return view;
}

function answered(outcome: RecordOutcome): void {
  if (outcome === 'already') {
    throw new HttpError(
      409,
      'ALREADY_ANSWERED',
      'This case has been rated already: only the first answer counts. Thank you.',
    );
  }
  if (outcome === 'not_rateable') throw notRateable();
}

function notRateable(): HttpError {
  return new HttpError(
    409,
    'NOT_RATEABLE',
    'This case cannot be rated: only a case that is closed, and was not cancelled, can be.',
  );
}

/** The case's end, as the customer reads it. */
function outcomeWords(status: CaseStatus): string {
  switch (status) {
    case 'resolved':
      return 'Your case was resolved.';
    case 'not_fixable_remotely':
      return 'A technician found that the problem cannot be fixed from a distance.';
    default:
      return 'Your case was handed to a technician and closed.';
  }
}
