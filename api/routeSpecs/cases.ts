import {
  ApproveRequest,
  CloseCaseRequest,
  StillBrokenRequest,
  ListCasesQuery,
  OpenCaseRequest,
} from '../../contracts/api';
import {
  AssignRequest,
  ChecksRequest,
  CloseUnfixableRequest,
  NoteRequest,
  ResolveRequest,
  SlaSettings,
  TechnicianProposalRequest,
} from '../../contracts/technician';
import { CaseSatisfactionView, SatisfactionAnswer } from '../../contracts/satisfaction';
import { FixesResponse } from '../routes/fixes';
import { caseReaders, technicians, type RouteSpec } from '../routeSpec';

// Cases: opening, reading, approving, the technician's work, closing, ratings.

export const casesRoutes: RouteSpec[] = [
  {
    method: 'POST',
    path: '/api/cases',
    summary: "Open the device's case, or join the open one",
    access: { roles: ['customer', 'partner', 'operator', 'device'] },
    body: OpenCaseRequest,
  },
  {
    method: 'GET',
    path: '/api/cases',
    summary:
      "Cases, filtered and searched, newest first, a page at a time; a customer sees only their own, a partner only its customers'",
    access: { roles: caseReaders },
    query: ListCasesQuery,
    answers: { '400': 'A bad filter, or a cursor this list did not give (BAD_CURSOR)' },
  },
  {
    method: 'GET',
    path: '/api/cases/:id',
    summary: 'A case document with its live workflow state',
    access: { roles: caseReaders },
  },
  {
    method: 'GET',
    path: '/api/cases/:id/audit',
    summary: "The case's audit trail",
    access: { roles: caseReaders },
  },
  {
    method: 'GET',
    path: '/api/cases/:id/audit/verify',
    summary: "Checks the audit trail's hash chain",
    access: { roles: caseReaders },
  },
  {
    method: 'POST',
    path: '/api/remediation/approve',
    summary: 'Approve or decline the proposed fix',
    access: { roles: caseReaders },
    body: ApproveRequest,
  },
  {
    method: 'POST',
    path: '/api/cases/:id/step-done',
    summary: 'The customer says the step on site they were given is done: the case checks again',
    access: { roles: caseReaders },
  },
  {
    method: 'POST',
    path: '/api/cases/:id/take-over',
    summary:
      "An operator, or a person of the customer's partner, takes the case over (the same person again: the case as it is; another: 409)",
    access: { roles: technicians },
  },
  {
    method: 'GET',
    path: '/api/customers/:id/sla',
    summary:
      "A customer's service levels (minutes to first response and to resolution) and whether they are the customer's own or the defaults",
    access: { roles: technicians },
  },
  {
    method: 'PUT',
    path: '/api/customers/:id/sla',
    summary: "Sets a customer's service levels for the cases they open from now on",
    access: { roles: ['operator'] },
    body: SlaSettings,
  },
  {
    method: 'GET',
    path: '/api/operators',
    summary:
      "Who a case can be assigned to: { operators: [{ id, name }] } (an operator's colleagues, or a partner's own people)",
    access: { roles: technicians },
  },
  {
    method: 'POST',
    path: '/api/cases/:id/assign',
    summary:
      'Gives a handed-over case to an operator (without operatorId: the operator asking); 409 when another operator holds it',
    access: { roles: technicians },
    body: AssignRequest,
  },
  {
    method: 'POST',
    path: '/api/cases/:id/notes',
    summary:
      'A technician writes on the case they hold: an internal note (operators only) or a message the customer reads (201)',
    access: { roles: technicians },
    body: NoteRequest,
  },
  {
    method: 'POST',
    path: '/api/cases/:id/checks',
    summary:
      'The technician holding the case has the Zen box run these checks (202; results arrive in the case)',
    access: { roles: technicians },
    body: ChecksRequest,
  },
  {
    method: 'POST',
    path: '/api/cases/:id/proposals',
    summary:
      "The technician proposes a catalog fix on the customer's behalf; the customer still approves it (202)",
    access: { roles: technicians },
    body: TechnicianProposalRequest,
  },
  {
    method: 'POST',
    path: '/api/cases/:id/resolve',
    summary: 'The technician closes the case as resolved, with a resolution code and a summary',
    access: { roles: technicians },
    body: ResolveRequest,
  },
  {
    method: 'POST',
    path: '/api/cases/:id/close-unfixable',
    summary:
      'The technician closes the case as not fixable remotely (a visit, the provider, ...), with a reason and a summary',
    access: { roles: technicians },
    body: CloseUnfixableRequest,
  },
  {
    method: 'POST',
    path: '/api/cases/:id/still-broken',
    summary:
      'The customer says a closed case is still broken: a linked follow-up with a person assigned (201; a repeat returns the same follow-up, 200; 409 while the case is open)',
    access: { roles: ['customer', 'operator'] },
    body: StillBrokenRequest,
  },
  {
    method: 'POST',
    path: '/api/cases/:id/close',
    summary: "An operator, or the customer's partner, closes the case",
    access: { roles: technicians },
    body: CloseCaseRequest,
  },
  {
    method: 'GET',
    path: '/api/fixes',
    summary:
      "The fix catalog for a technician's proposal: each fix in words, its risk, downtime, what it repairs and its parameters as JSON Schema",
    access: { roles: technicians },
    response: FixesResponse,
  },
  {
    method: 'GET',
    path: '/api/cases/:id/satisfaction',
    summary: "The customer's rating of a case, and whether they may still give it",
    access: { roles: caseReaders },
    response: CaseSatisfactionView,
    answers: { '404': 'CASE_NOT_FOUND' },
  },
  {
    method: 'POST',
    path: '/api/cases/:id/satisfaction',
    summary: 'The customer rates their closed case (operators may not answer for them)',
    access: { roles: ['customer'] },
    body: SatisfactionAnswer,
    response: CaseSatisfactionView,
    answers: {
      '201': 'Stored',
      '404': 'CASE_NOT_FOUND',
      '409': 'ALREADY_ANSWERED (a case is rated once, on any channel) or NOT_RATEABLE',
    },
  },
];
