import type { Client } from '@temporalio/client';
import { Router } from 'express';
import {
  AssignRequest,
  ChecksRequest,
  CloseUnfixableRequest,
  NoteRequest,
  ResolveRequest,
  TechnicianProposalRequest,
} from '../../contracts/technician';
import { parseRemediation } from '../../contracts/remediation';
import { Case, User } from '../../store/models';
import { customerSubject } from '../../privacy/keys';
import { seal } from '../../privacy/seal';
import {
  addNoteUpdate,
  assignCaseUpdate,
  closeUnfixableUpdate,
  proposeFixUpdate,
  requestChecksUpdate,
  resolveCaseUpdate,
  type CaseState,
} from '../../workflows/messages';
import type { Principal, RequireRole } from '../auth';
import { actorOf, caseHandle, rejected } from '../caseHandle';
import { HttpError } from '../errors';
import { namesOf, whoIn } from '../people';

// A case with a technician (workflows/technician.ts): operators, or the people of the
// customer's IT partner, claim or assign it, write notes and messages, have the box run
// checks, propose a fix the customer approves, and close it. Each is an Update whose
// validator answers 409 with its reason. A partner reaches only its customers' cases
// (caseHandle), and hands a case only to its own people.

export function technicianRouter(temporal: Client, requireRole: RequireRole): Router {
  const router = Router();
  const technician = requireRole('operator', 'partner');

  /** Sends one Update and answers with the case's status and who holds it. */
  async function send(
    req: Parameters<Parameters<typeof router.post>[1]>[0],
    update: (handle: Awaited<ReturnType<typeof caseHandle>>) => Promise<CaseState>,
  ) {
    const handle = await caseHandle(temporal, req.principal!, String(req.params.id));
    let state: CaseState;
    try {
      state = await update(handle);
    } catch (err) {
      throw rejected(err);
    }
    return { status: state.status, assignedOperator: state.assignedOperator };
  }

  // Who a case can be given to: an operator's colleagues, or a partner's own people.
  router.get('/operators', technician, async (req, res) => {
    const users = await User.find(colleaguesOf(req.principal!), { _id: 1, role: 1 })
      .sort({ createdAt: 1 })
      .lean();
    const actors = users.map((u) => ({ id: u._id, role: u.role }));
    const names = await namesOf(actors, 'operator');
    res.json({ operators: actors.map((a) => ({ id: a.id, name: whoIn(names, a) })) });
  });

  router.post('/cases/:id/assign', technician, async (req, res) => {
    const body = AssignRequest.parse(req.body ?? {});
    const operatorId = body.operatorId ?? req.principal!.id;
    if (!(await User.exists({ ...colleaguesOf(req.principal!), _id: operatorId }))) {
      throw new HttpError(400, 'VALIDATION_ERROR', 'operatorId: no such operator');
    }
    res.json(
      await send(req, (h) =>
        h.executeUpdate(assignCaseUpdate, {
          args: [{ actor: actorOf(req.principal!), operatorId }],
        }),
      ),
    );
  });

  router.post('/cases/:id/notes', technician, async (req, res) => {
    const { text, visibility } = NoteRequest.parse(req.body);
    // Sealed under the business's key: the workflow's history keeps it for good.
    const doc = await Case.findById(String(req.params.id), { customerId: 1 }).lean();
    const sealed = doc ? await seal(customerSubject(doc.customerId), text) : text;
    res.status(201).json(
      await send(req, (h) =>
        h.executeUpdate(addNoteUpdate, {
          args: [{ actor: actorOf(req.principal!), visibility, text: sealed }],
        }),
      ),
    );
  });

  router.post('/cases/:id/checks', technician, async (req, res) => {
    const { checks } = ChecksRequest.parse(req.body);
    res.status(202).json(
      await send(req, (h) =>
        h.executeUpdate(requestChecksUpdate, {
          args: [{ actor: actorOf(req.principal!), checks: [...new Set(checks)] }],
        }),
      ),
    );
  });

  router.post('/cases/:id/proposals', technician, async (req, res) => {
    const { action, params, reason } = TechnicianProposalRequest.parse(req.body);
    // The catalog's own check of the fix's parameters, before the customer is asked.
    const fix = parseRemediation(action, params);
    res.status(202).json(
      await send(req, (h) =>
        h.executeUpdate(proposeFixUpdate, {
          args: [{ actor: actorOf(req.principal!), action, params: fix.params, reason }],
        }),
      ),
    );
  });

  router.post('/cases/:id/resolve', technician, async (req, res) => {
    const { code, summary } = ResolveRequest.parse(req.body);
    res.json(
      await send(req, (h) =>
        h.executeUpdate(resolveCaseUpdate, {
          args: [{ actor: actorOf(req.principal!), code, summary }],
        }),
      ),
    );
  });

  router.post('/cases/:id/close-unfixable', technician, async (req, res) => {
    const { reason, summary } = CloseUnfixableRequest.parse(req.body);
    res.json(
      await send(req, (h) =>
        h.executeUpdate(closeUnfixableUpdate, {
          args: [{ actor: actorOf(req.principal!), reason, summary }],
        }),
      ),
    );
  });

  return router;
}

/** The people a technician may hand a case to: operators, or the partner's own people. */
function colleaguesOf(principal: Principal): Record<string, string> {
  return principal.role === 'partner'
    ? { role: 'partner', partnerId: principal.partnerId ?? '\u0000none' }
    : { role: 'operator' };
}
