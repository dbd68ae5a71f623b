import type { Client } from '@temporalio/client';
import mongoose from 'mongoose';
import type { ListCasesQuery } from '../contracts/api';
import type { SlaSettings } from '../contracts/technician';
import { Case, Customer } from '../store/models';
import type { Principal } from './auth';
import {
  afterCursor,
  findByIds,
  pageOf,
  pageSort,
  searchPattern,
  withConditions,
  type PageOrder,
} from './paging';
import { tenantScope, withinScope } from './tenantScope';
import { HttpError } from './errors';
import { openCase, serviceLevels, type CaseDefaults, type OpenedCase } from './openCase';
import { slaDue } from './slaDue';

// Reading cases on behalf of an authenticated principal, and the cases the Zen box
// opens itself (./openCase opens them all). The device routes take CaseDefaults from here.

export type { CaseDefaults };

/**
 * Whatever calls a customer about a case their Zen box opened (the phone channel).
 * Declared here, not imported from api/voice, so cases do not depend on the phone.
 */
export interface CustomerCaller {
  callCustomer(customerId: string, workflowId: string): Promise<void>;
}

/**
 * A fault the Zen box found on its own: opens (or joins) its case, and a new
 * case calls the customer when they opted in.
 */
export async function openAgentCase(
  client: Client,
  principal: Principal,
  request: { deviceId: string; description?: string },
  defaults: CaseDefaults,
  voice: CustomerCaller,
): Promise<OpenedCase> {
  const opened = await openCase(client, principal, { ...request, channel: 'agent' }, defaults);
  if (!opened.joined) void voice.callCustomer(principal.customerId!, opened.workflowId);
  return opened;
}

export function publicCase(doc: {
  _id: string;
  workflowId: string;
  runId?: string | null;
  customerId: string;
  deviceId: string;
  channel: string;
  status: string;
  step?: string | null;
  issueCategory?: string | null;
  summary?: string | null;
  resolutionTimeMinutes?: number | null;
  createdAt?: Date;
  updatedAt?: Date;
  completedAt?: Date | null;
  followUpOf?: string | null;
  followUpCaseId?: string | null;
  assignedOperator?: string | null;
  handedOverAt?: Date | null;
}) {
  return {
    id: doc._id,
    workflowId: doc.workflowId,
    runId: doc.runId ?? undefined,
    customerId: doc.customerId,
    deviceId: doc.deviceId,
    channel: doc.channel,
    status: doc.status,
    step: doc.step ?? undefined,
    issueCategory: doc.issueCategory ?? 'unknown',
    summary: doc.summary ?? undefined,
    resolutionTimeMinutes: doc.resolutionTimeMinutes ?? undefined,
    createdAt: doc.createdAt?.toISOString(),
    updatedAt: doc.updatedAt?.toISOString(),
    completedAt: doc.completedAt?.toISOString(),
    followUpOf: doc.followUpOf ?? undefined,
    followUpCaseId: doc.followUpCaseId ?? undefined,
    assignedOperator: doc.assignedOperator ?? undefined,
    handedOverAt: doc.handedOverAt?.toISOString(),
  };
}

const newestFirst: PageOrder = { list: 'cases', key: 'createdAt', kind: 'date', direction: -1 };

/**
 * One page of cases, newest first, inside the caller's scope; `nextCursor` reads the next.
 * `sla`: the service levels of customers without their own, as new cases get them.
 */
export async function listCases(principal: Principal, query: ListCasesQuery, sla?: SlaSettings) {
  const after = afterCursor(newestFirst, query.cursor);
  const filter = withinScope(principal, {
    ...(query.status && { status: mongoose.trusted({ $in: query.status }) }),
    ...(query.category && { issueCategory: query.category }),
    ...(query.customerId && { customerId: query.customerId }),
    ...(query.deviceId && { deviceId: query.deviceId }),
  });
  if (!filter) return { cases: [] };
  const docs = await Case.find(withConditions(filter, [after, await caseSearch(query.q)]))
    .sort(pageSort(newestFirst))
    .limit(query.limit + 1)
    .lean();
  const page = pageOf(newestFirst, docs, query.limit);
  // No $lookup on FerretDB: the business names come in more queries.
  const customers = await findByIds(
    (id) => Customer.findById(id, { businessName: 1, sla: 1 }).lean(),
    page.rows.map((d) => d.customerId),
  );
  const cases = page.rows.map((doc) => {
    const customer = customers.get(doc.customerId);
    return {
      ...publicCase(doc),
      businessName: customer?.businessName,
      // Service levels are the operators' business (api/caseView.ts).
      slaDue:
        principal.role === 'operator'
          ? slaDue(doc, serviceLevels(doc.sla, serviceLevels(customer?.sla, sla)))
          : undefined,
    };
  });
  return { cases, nextCursor: page.nextCursor };
}

/**
 * Cases whose business name or box id holds `q`. (Not the summary: it is the reporter's
 * words, sealed under their key.) The matching businesses are read first (any tenant's:
 * the case filter's own scope still decides what the caller gets).
 */
async function caseSearch(q: string | undefined) {
  const pattern = searchPattern(q);
  if (!pattern) return undefined;
  const named = await Customer.find({ businessName: pattern }, { _id: 1 }).lean();
  return {
    $or: [
      { deviceId: pattern },
      { customerId: mongoose.trusted({ $in: named.map((c) => c._id) }) },
    ],
  };
}

/** A report as the case document keeps it (activities/caseStore.ts). */
export interface StoredReport {
  at: Date;
  channel: string;
  actor: { id: string; role: Principal['role'] };
  words: string;
}

export async function getCase(principal: Principal, caseId: string) {
  const doc = await Case.findOne({ ...tenantScope(principal), _id: caseId }).lean();
  if (!doc) throw new HttpError(404, 'CASE_NOT_FOUND', `No case ${caseId}`);
  return {
    ...publicCase(doc),
    results: doc.diagnosticData ?? undefined,
    reports: (doc.reports ?? []) as StoredReport[],
  };
}
