import type { Client } from '@temporalio/client';
import { Router } from 'express';
import mongoose from 'mongoose';
import type { Actor } from '../../contracts/case';
import {
  ApproveRequest,
  EmptyBody,
  CloseCaseRequest,
  ListCasesQuery,
  OpenCaseRequest,
  StillBrokenRequest,
} from '../../contracts/api';
import { notify } from '../../notifier/notify';
import { notificationsOfCase } from '../../notifier/records';
import { verifyChain } from '../../store/audit';
import { AuditEntry, Case } from '../../store/models';
import {
  caseStateQuery,
  closeCaseSignal,
  customerStepDoneUpdate,
  decideRemediationUpdate,
  takeOverUpdate,
} from '../../workflows/messages';
import type { Principal, RequireRole } from '../auth';
import { actorOf, caseHandle, openCaseHandle, rejected } from '../caseHandle';
import { isInternalStep, liveForCustomer } from '../caseView';
import { getCase, listCases, openAgentCase } from '../cases';
import { HttpError } from '../errors';
import { tenantScope } from '../tenantScope';
import { reportStillBroken } from '../followUp';
import { channelOf, openCase, type CaseDefaults } from '../openCase';
import { namesOf, whoIn } from '../people';
import type { Voice } from '../voice/router';
import { unsealDeep } from '../../privacy/seal';
import { sealWords } from '../../privacy/writers';

// Cases: open, read, approve, a customer's step done, take over, close, and the audit trail.

export function casesRouter(
  temporal: Client,
  requireRole: RequireRole,
  defaults: CaseDefaults,
  voice: Pick<Voice, 'callCustomer'>,
): Router {
  const router = Router();
  // A customer's people, and those who work cases for them: a partner for its own customers
  // (every case read goes through tenantScope), operators for all.
  const caseReaders = ['customer', 'partner', 'operator'] as const;

  router.post(
    '/cases',
    requireRole('customer', 'partner', 'operator', 'device'),
    async (req, res) => {
      const body = OpenCaseRequest.parse(req.body);
      const principal = req.principal!;
      // A device can only report for itself, and its cases are agent-initiated.
      const opened =
        principal.role === 'device'
          ? await openAgentCase(temporal, principal, body, defaults, voice)
          : await openCase(
              temporal,
              principal,
              { ...body, channel: channelOf(principal) },
              defaults,
            );
      res.locals.log = { caseId: opened.caseId, workflowId: opened.workflowId };
      res.status(opened.joined ? 200 : 201).json(opened);
    },
  );

  router.get('/cases', requireRole('customer', 'partner', 'operator'), async (req, res) => {
    const query = ListCasesQuery.parse(req.query);
    res.json(await unsealDeep(await listCases(req.principal!, query, defaults.sla)));
  });

  router.get('/cases/:id', requireRole(...caseReaders), async (req, res) => {
    const found = await getCase(req.principal!, String(req.params.id));
    const queried = await temporal.workflow
      .getHandle(found.workflowId, found.runId)
      .query(caseStateQuery)
      .catch(() => undefined);
    const live = queried && req.principal!.role === 'customer' ? liveForCustomer(queried) : queried;
    // Who did each step, by name: the workflow and the case document keep only ids.
    const assigned = live?.assignedOperator ?? found.assignedOperator;
    const names = await namesOf(
      [
        ...(live?.timeline ?? []).map((e) => e.actor),
        ...(live?.technician?.notes ?? []).map((n) => n.actor),
        ...found.reports.map((r) => r.actor),
        assigned ? { id: assigned, role: 'operator' } : undefined,
      ],
      readerOf(req.principal!),
    );
    // Personal values are kept sealed (privacy/): opened for the reader, "(erased)" once erased.
    const view = await unsealDeep({
      ...found,
      reports: found.reports.map(({ actor, ...report }) => ({
        ...report,
        who: whoIn(names, actor),
      })),
      assignedOperatorName: assigned ? whoIn(names, { id: assigned, role: 'operator' }) : undefined,
      live: live && {
        ...live,
        timeline: live.timeline.map((entry) => ({ ...entry, who: whoIn(names, entry.actor) })),
        technician: live.technician && {
          ...live.technician,
          notes: live.technician.notes.map((note) => ({ ...note, who: whoIn(names, note.actor) })),
        },
      },
    });
    res.json(view);
  });

  router.get('/cases/:id/audit', requireRole(...caseReaders), async (req, res) => {
    const found = await getCase(req.principal!, String(req.params.id));
    const [all, told] = await Promise.all([
      AuditEntry.find({ caseId: found.id }).sort({ seq: 1 }).lean(),
      notificationsOfCase(found.id),
    ]);
    const entries =
      req.principal!.role === 'customer' ? all.filter((e) => !isInternalStep(e.actionType)) : all;
    const names = await namesOf(
      entries.map((e) => e.actor as Actor),
      readerOf(req.principal!),
    );
    const steps = entries.map(({ _id, ...entry }) => ({
      id: _id,
      kind: 'step' as const,
      ...entry,
      who: whoIn(names, entry.actor as Actor),
    }));
    res.json({
      // Who was told what, merged in time order; the hash chain covers the steps alone.
      entries: await unsealDeep(inTimeOrder(steps, told)),
      verification: await verifyChain(found.id),
    });
  });

  router.get('/cases/:id/audit/verify', requireRole(...caseReaders), async (req, res) => {
    const found = await getCase(req.principal!, String(req.params.id));
    const verdict = await verifyChain(found.id);
    res.status(verdict.valid ? 200 : 409).json(verdict);
  });

  // The original contract: sessionId is the case id.
  router.post('/remediation/approve', requireRole(...caseReaders), async (req, res) => {
    const body = ApproveRequest.parse(req.body);
    const { handle, customerId } = await openCaseHandle(temporal, req.principal!, body.sessionId);
    // Sealed under the case's customer's key before the workflow keeps it.
    const note = body.userNote && (await sealWords(req.principal!, customerId, body.userNote));
    try {
      const result = await handle.executeUpdate(decideRemediationUpdate, {
        args: [
          {
            actionId: body.actionId,
            approved: body.approved,
            note: note || undefined,
            actor: actorOf(req.principal!),
            channel: channelOf(req.principal!),
          },
        ],
      });
      res.json(result);
    } catch (err) {
      throw rejected(err);
    }
  });

  // The customer says the step on site they were given is done: the case checks again.
  router.post('/cases/:id/step-done', requireRole(...caseReaders), async (req, res) => {
    EmptyBody.parse(req.body);
    const handle = await caseHandle(temporal, req.principal!, String(req.params.id));
    try {
      const state = await handle.executeUpdate(customerStepDoneUpdate, {
        args: [{ actor: actorOf(req.principal!), channel: channelOf(req.principal!) }],
      });
      res.json({ status: state.status });
    } catch (err) {
      throw rejected(err);
    }
  });

  // One operator holds a case: the same operator asking again gets the case as it is (200),
  // another operator gets 409 (the workflow's validator refuses them).
  router.post('/cases/:id/take-over', requireRole('operator', 'partner'), async (req, res) => {
    EmptyBody.parse(req.body);
    const operator = req.principal!.id;
    // An escalated case's workflow has ended: the operator takes the hand-over on the case
    // document, and its PagerDuty incident is acknowledged (notifier).
    const escalated = await Case.findOne({
      ...tenantScope(req.principal!),
      _id: String(req.params.id),
      status: 'escalated',
    }).lean();
    if (escalated) {
      // One operator holds it: the first to take it, whoever asks again after.
      const took = await Case.updateOne(
        {
          _id: escalated._id,
          status: 'escalated',
          assignedOperator: mongoose.trusted({ $in: [null, operator] }),
        },
        { $set: { assignedOperator: operator } },
      );
      if (took.matchedCount === 0) {
        throw new HttpError(409, 'DECISION_REJECTED', 'Another operator has taken this case over');
      }
      await notify(temporal, defaults.taskQueue, {
        type: 'case_taken_over',
        key: `${escalated._id}:taken_over`,
        at: new Date().toISOString(),
        customerId: escalated.customerId,
        deviceId: escalated.deviceId,
        caseId: String(escalated._id),
        facts: {},
      });
      res.json({ assignedOperator: operator, status: escalated.status });
      return;
    }
    const handle = await caseHandle(temporal, req.principal!, String(req.params.id));
    const now = await handle.query(caseStateQuery).catch(() => undefined);
    if (now?.assignedOperator === req.principal!.id) {
      res.json({ assignedOperator: now.assignedOperator, status: now.status });
      return;
    }
    try {
      const state = await handle.executeUpdate(takeOverUpdate, {
        args: [{ operator: actorOf(req.principal!) }],
      });
      res.json({ assignedOperator: state.assignedOperator, status: state.status });
    } catch (err) {
      throw rejected(err);
    }
  });

  // "It is still not working": a closed case reopens as a linked follow-up with a person
  // assigned. A repeated report answers with the same follow-up.
  router.post('/cases/:id/still-broken', requireRole('customer', 'operator'), async (req, res) => {
    const { words } = StillBrokenRequest.parse(req.body ?? {});
    const principal = req.principal!;
    const followUp = await reportStillBroken(
      temporal,
      principal,
      { caseId: String(req.params.id), words, channel: channelOf(principal) },
      defaults,
    );
    res.locals.log = { caseId: followUp.caseId, followUpOf: followUp.followUpOf };
    res.status(followUp.opened ? 201 : 200).json(followUp);
  });

  router.post('/cases/:id/close', requireRole('operator', 'partner'), async (req, res) => {
    const { reason } = CloseCaseRequest.parse(req.body);
    const handle = await caseHandle(temporal, req.principal!, String(req.params.id));
    await handle.signal(closeCaseSignal, { actor: actorOf(req.principal!), reason });
    res.status(202).json({ status: 'closing' });
  });

  return router;
}

/**
 * Whose eyes a name is for: operators may read a colleague's address. A partner reads a
 * case's content as staff (internal notes and steps: its people work the case), but Zen &
 * Zen's own people stay "Zen & Zen technician" to it, as to the customer: another company.
 */
function readerOf(principal: Principal): 'customer' | 'operator' {
  return principal.role === 'operator' ? 'operator' : 'customer';
}

/** Merges two lists each already in time order, keeping each one's own order. */
function inTimeOrder<A extends { executedAt: Date }, B extends { executedAt: Date }>(
  a: A[],
  b: B[],
): (A | B)[] {
  const merged: (A | B)[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const takeA = j >= b.length || (i < a.length && a[i]!.executedAt <= b[j]!.executedAt);
    merged.push(takeA ? a[i++]! : b[j++]!);
  }
  return merged;
}
