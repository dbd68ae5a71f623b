import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { closedStatuses, type Actor, type CaseStatus } from '../contracts/case';
import { Case } from '../store/models';
import type { Principal } from './auth';
import { tenantScope } from './tenantScope';
import { HttpError } from './errors';

// Reaching a running case's workflow on a person's behalf: the routes that send it
// Updates and signals share these.

/** The actor a principal is on the case's record. */
export function actorOf(principal: Principal): Actor {
  return { id: principal.id, role: principal.role, customerId: principal.customerId };
}

/**
 * The workflow of an open case the principal may see, and whose case it is (the key its
 * words are sealed under); 404 otherwise, 409 once closed. One read of what that needs.
 */
export async function openCaseHandle(temporal: Client, principal: Principal, caseId: string) {
  const doc = await Case.findOne(
    { ...tenantScope(principal), _id: caseId },
    { workflowId: 1, runId: 1, status: 1, customerId: 1 },
  ).lean();
  if (!doc) throw new HttpError(404, 'CASE_NOT_FOUND', `No case ${caseId}`);
  if (closedStatuses.includes(doc.status as CaseStatus)) {
    throw new HttpError(409, 'CASE_CLOSED', `Case ${caseId} is ${doc.status}`);
  }
  return {
    handle: temporal.workflow.getHandle(doc.workflowId, doc.runId ?? undefined),
    customerId: doc.customerId,
  };
}

/** The workflow of an open case the principal may see (openCaseHandle). */
export async function caseHandle(temporal: Client, principal: Principal, caseId: string) {
  return (await openCaseHandle(temporal, principal, caseId)).handle;
}

/** A validator's rejection reaches the caller as 409 with the workflow's reason. */
export function rejected(err: unknown): Error {
  if (err instanceof WorkflowUpdateFailedError) {
    const reason = err.cause?.message ?? err.message;
    return new HttpError(409, 'DECISION_REJECTED', reason);
  }
  return err as Error;
}
