import { z } from 'zod';
import {
  ApproveRequest,
  CloseCaseRequest,
  StillBrokenRequest,
  CreateEnrollmentCodeRequest,
  CustomerPreferences,
  CustomersResponse,
  DeviceDiagnosticRequest,
  DevicesResponse,
  EnrollDeviceRequest,
  ListCasesQuery,
  ListCustomersQuery,
  ListDevicesQuery,
  LoginRequest,
  LoginVerifyRequest,
  OpenCaseRequest,
  RefreshRequest,
  RegisterDeviceRequest,
  VerifyCallerRequest,
} from '../contracts/api';
import type { AccessRole } from '../contracts/tenancy';
import { NotificationSettings } from '../contracts/notifications';
import { SpeedTestQuery, speedTestPath } from '../contracts/speedTest';
import { DeviceHistory, HistoryQuery, OutageList } from '../contracts/monitor';
import { KpiQuery, KpiReport } from '../contracts/kpi';
import {
  AssignRequest,
  ChecksRequest,
  CloseUnfixableRequest,
  NoteRequest,
  ResolveRequest,
  SlaSettings,
  TechnicianProposalRequest,
} from '../contracts/technician';
import { CaseSatisfactionView, RatingPage, SatisfactionAnswer } from '../contracts/satisfaction';
import { FixesResponse } from './routes/fixes';
import { CodecRequest, codecPath } from './routes/codec';
import { tenancyRoutes } from './tenancy/routeSpecs';
import { CreateTokenRequest, TokenList, TokenView } from '../contracts/apiTokens';
import { tokenManagers } from './routes/tokens';
import { EraseCustomerRequest } from '../contracts/privacy';

// The HTTP API as data: every route, who may call it, and the zod schema its
// input is parsed with. Served as OpenAPI 3.1 at /api/openapi.json; a test
// holds this list and the express app to each other, and the fuzz run uses
// it to know which answers would be unauthorized successes.

/** Who may call a route: roles by token, or one of the doors that take no token. */
export type Access =
  | { roles: AccessRole[] }
  | {
      public: 'anyone' | 'telnyx-signature' | 'metrics-token' | 'enrollment-code' | 'rating-link';
    };

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Express style: /api/cases/:id */
  path: string;
  summary: string;
  access: Access;
  body?: z.ZodType;
  query?: z.ZodType;
  /** What a 200 answer holds, where the document describes it. */
  response?: z.ZodType;
  /** Answers particular to this route, by status: what each means. */
  answers?: Record<string, string>;
}

/** A customer's people, and those who serve them: a partner its own customers, operators all. */
const caseReaders: AccessRole[] = ['customer', 'partner', 'operator'];
/** Those who work cases for customers: operators, and a partner for its own customers. */
const technicians: AccessRole[] = ['operator', 'partner'];
/** Managing a customer's boxes: its admins, its partner, operators. */
const managers: AccessRole[] = ['customer_admin', 'partner', 'operator'];

export const routes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/api/health',
    summary: 'Whether the service is up: ok, or degraded (503)',
    access: { public: 'anyone' },
  },
  {
    method: 'GET',
    path: '/api/health/components',
    summary: 'Health of the API, Temporal and MongoDB, part by part (503 when one is down)',
    access: { roles: ['operator'] },
  },
  {
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This document',
    access: { public: 'anyone' },
  },
  {
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics (bearer METRICS_TOKEN when set)',
    access: { public: 'metrics-token' },
  },
  {
    method: 'POST',
    path: '/api/voice/telnyx/webhook',
    summary: 'Telnyx Call Control events (signed, replay-checked)',
    access: { public: 'telnyx-signature' },
  },

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
    method: 'POST',
    path: '/api/device/register',
    summary: 'A device re-registers, or a person registers a new one',
    access: { roles: ['device', 'customer_admin', 'operator'] },
    body: RegisterDeviceRequest,
  },
  {
    method: 'POST',
    path: '/api/device/diagnostic',
    summary: 'A device pushes results it gathered on its own',
    access: { roles: ['device'] },
    body: DeviceDiagnosticRequest,
  },
  {
    method: 'POST',
    path: '/api/devices/enrollment-codes',
    summary: 'A one-time enrollment code for a site',
    access: { roles: managers },
    body: CreateEnrollmentCodeRequest,
  },
  {
    method: 'POST',
    path: '/api/device/enroll',
    summary: 'A new device trades an enrollment code for its token',
    access: { public: 'enrollment-code' },
    body: EnrollDeviceRequest,
  },
  {
    method: 'POST',
    path: '/api/device/token/rotate',
    summary: 'A device replaces its own token',
    access: { roles: ['device'] },
  },
  {
    method: 'POST',
    path: '/api/devices/:deviceId/token/rotate',
    summary: 'A new token for a device (the old one dies at once)',
    access: { roles: managers },
  },
  {
    method: 'POST',
    path: '/api/devices/:deviceId/revoke',
    summary: 'Revoke a device: refused and disconnected at once',
    access: { roles: managers },
  },
  {
    method: 'GET',
    path: '/api/devices',
    summary:
      'Zen boxes with site, status, health, cloud path, LTE data and open case, a page at a time by box id',
    access: { roles: caseReaders },
    query: ListDevicesQuery,
    response: DevicesResponse,
    answers: { '400': 'A bad filter, or a cursor this list did not give (BAD_CURSOR)' },
  },
  {
    method: 'GET',
    path: '/api/devices/:deviceId/health',
    summary:
      "A box's health history (minutes for 48 hours, hours for a year), uptime and current state",
    access: { roles: caseReaders },
    query: HistoryQuery,
    response: DeviceHistory,
    answers: {
      '400': 'A range out of order, in the future, older than a year, or too long ago for minutes',
      '404': 'No such box, or not yours',
    },
  },
  {
    method: 'GET',
    path: '/api/devices/:deviceId/outages',
    summary: "A box's outages: offline, and what its monitor saw fail (default: 30 days)",
    access: { roles: caseReaders },
    query: HistoryQuery.pick({ from: true, to: true }),
    response: OutageList,
    answers: {
      '400': 'A range out of order, in the future or older than a year',
      '404': 'No such box, or not yours',
    },
  },
  {
    method: 'GET',
    path: '/api/kpi',
    summary:
      'The numbers over a period, overall or for one customer: cases, resolution times, SLA breaches, satisfaction, boxes online',
    access: { roles: ['operator'] },
    query: KpiQuery,
    response: KpiReport,
    answers: {
      '400': '"from" or "to" missing or not a date, out of order, or more than 366 days apart',
    },
  },

  {
    method: 'POST',
    path: '/api/auth/verify-caller',
    summary: 'Caller-ID check; emails a one-time code',
    access: { roles: ['service', 'operator'] },
    body: VerifyCallerRequest,
  },
  {
    method: 'POST',
    path: '/api/auth/login',
    summary: 'Email a sign-in code (same answer for any address)',
    access: { public: 'anyone' },
    body: LoginRequest,
    answers: {
      '202': '{otpSent: true}, whether or not the address has an account',
      '429':
        'SLOW_DOWN: too many codes for this address or from this source; wait Retry-After seconds',
    },
  },
  {
    method: 'POST',
    path: '/api/auth/login/verify',
    summary: 'Trade the code for a sign-in (cookies, or tokens with session=bearer)',
    access: { public: 'anyone' },
    body: LoginVerifyRequest,
    answers: {
      '401':
        'CODE_WRONG: any code that does not sign in (wrong, used, expired, guessed at five times, or no account), one answer for all',
      '429': 'SLOW_DOWN: too many wrong codes from this source; wait Retry-After seconds',
    },
  },
  {
    method: 'POST',
    path: '/api/auth/refresh',
    summary: 'A new 15-minute access token for the refresh token (rotated)',
    access: { public: 'anyone' },
    body: RefreshRequest,
  },
  {
    method: 'GET',
    path: '/api/auth/session',
    summary: 'Who is signed in',
    access: { roles: caseReaders },
  },
  {
    method: 'POST',
    path: '/api/auth/logout',
    summary: 'End the sign-in the caller holds',
    access: { public: 'anyone' },
    body: RefreshRequest,
  },

  {
    method: 'GET',
    path: '/api/customers',
    summary:
      'Customers by business name, a page at a time, with subscription and partner; a partner sees only its own',
    access: { roles: ['operator', 'partner'] },
    query: ListCustomersQuery,
    response: CustomersResponse,
    answers: { '400': 'A bad search, or a cursor this list did not give (BAD_CURSOR)' },
  },
  {
    method: 'GET',
    path: '/api/customers/me',
    summary: "The customer's own account",
    access: { roles: ['customer'] },
  },
  {
    method: 'PATCH',
    path: '/api/customers/me',
    summary: 'Change the proactive-call opt-in',
    access: { roles: ['customer_admin'] },
    body: CustomerPreferences,
  },
  {
    method: 'GET',
    path: '/api/customers/me/notifications',
    summary:
      "Who at the customer hears about what, and quiet hours (the account's email and phone for every event until chosen)",
    access: { roles: ['customer'] },
    response: NotificationSettings,
  },
  {
    method: 'PUT',
    path: '/api/customers/me/notifications',
    summary: "Replace the customer's notification settings",
    access: { roles: ['customer_admin'] },
    body: NotificationSettings,
    response: NotificationSettings,
    answers: {
      '400':
        'INVALID_SETTINGS: the error names each field that is wrong (details: [{path, message}])',
    },
  },
  {
    method: 'GET',
    path: '/api/customers/:customerId/notifications',
    summary: "A customer's notification settings",
    access: { roles: technicians },
    response: NotificationSettings,
    answers: { '404': 'CUSTOMER_NOT_FOUND' },
  },
  {
    method: 'PUT',
    path: '/api/customers/:customerId/notifications',
    summary: "Replace a customer's notification settings",
    access: { roles: technicians },
    body: NotificationSettings,
    response: NotificationSettings,
    answers: {
      '400':
        'INVALID_SETTINGS: the error names each field that is wrong (details: [{path, message}])',
      '404': 'CUSTOMER_NOT_FOUND',
    },
  },
  {
    method: 'GET',
    path: '/api/satisfaction/:token',
    summary:
      "The rating page of a closing email's link: the case's outcome, and whether it is rated",
    access: { public: 'rating-link' },
    response: RatingPage,
    answers: {
      '404': 'NOT_FOUND: the link is unknown, tampered with or expired (one answer for all)',
      '409': 'NOT_RATEABLE: the case is not closed, or was cancelled',
    },
  },
  {
    method: 'POST',
    path: '/api/satisfaction/:token',
    summary: 'Rate a closed case by its emailed link: a score of 1 to 5, and a comment if wished',
    access: { public: 'rating-link' },
    body: SatisfactionAnswer,
    response: CaseSatisfactionView,
    answers: {
      '201': 'Stored',
      '404': 'NOT_FOUND: the link is unknown, tampered with or expired (one answer for all)',
      '409': 'ALREADY_ANSWERED (a case is rated once, on any channel) or NOT_RATEABLE',
    },
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
  {
    method: 'GET',
    path: '/api/customers/:customerId/reports/:month',
    summary: "Preview a customer's monthly report email (month: YYYY-MM), as HTML",
    access: { roles: technicians },
    answers: {
      '200': 'The report as an HTML page (text/html); a month in progress shows its figures so far',
      '400': 'INVALID_REPORT_REQUEST: not a month as YYYY-MM, or a month that has not begun',
      '404': 'CUSTOMER_NOT_FOUND',
    },
  },
  {
    method: 'GET',
    path: speedTestPath,
    summary: 'Speed test: streams `bytes` bytes to the device (capped; a budget per device)',
    access: { roles: ['device'] },
    query: SpeedTestQuery,
  },
  {
    method: 'POST',
    path: speedTestPath,
    summary: 'Speed test: takes up to `bytes` bytes and reports what arrived (NDJSON progress)',
    access: { roles: ['device'] },
    query: SpeedTestQuery,
  },
  // --- h21-codec: the Temporal UI's remote codec (api/routes/codec.ts) ---
  ...(['decode', 'encode'] as const).map((direction): RouteSpec => ({
    method: 'POST',
    path: `${codecPath}/${direction}`,
    summary: `The Temporal UI's remote codec: ${direction}s Temporal payloads (base64, X-Namespace header); CORS for the Temporal UI's origin only`,
    access: { roles: ['operator'] },
    body: CodecRequest,
    response: CodecRequest,
    answers: {
      '400': 'UNKNOWN_NAMESPACE: X-Namespace names another namespace',
      '403': "CORS_REFUSED: called from a page that is not the Temporal UI's",
      '413': 'The body is larger than 4 MB',
      '422': 'CODEC_FAILED: a payload could not be decrypted (unknown key id, altered)',
    },
  })),
  // --- end h21-codec ---
  // ---- h21-onboard: the console (customers, people, sites, partners) ----
  ...tenancyRoutes,
  // ---- end h21-onboard ----

  // --- Integration tokens (issue #21 item 5) ---
  {
    method: 'GET',
    path: '/api/tokens',
    summary:
      "Integration tokens: operators see all, a partner its own and its customers', a customer's admin its business's",
    access: { roles: tokenManagers },
    response: TokenList,
  },
  {
    method: 'POST',
    path: '/api/tokens',
    summary:
      'Make an integration token (a person signed in with an emailed code; never reaching further than its maker)',
    access: { roles: tokenManagers },
    body: CreateTokenRequest,
    answers: {
      '201': "Made: the token's text is in this answer only",
      '403': "SIGN_IN_REQUIRED (an API token cannot make tokens), or beyond the maker's reach",
      '404': 'No such customer or partner (operators)',
    },
  },
  {
    method: 'DELETE',
    path: '/api/tokens/:id',
    summary: 'Revoke an integration token at once (a person signed in with an emailed code)',
    access: { roles: tokenManagers },
    response: TokenView,
    answers: {
      '403': 'SIGN_IN_REQUIRED: an API token cannot revoke tokens',
      '404': 'No such token within your reach',
    },
  },
  // --- end of integration tokens ---
  // ---- h21-privacy: export and erasure (api/routes/privacy.ts) ----
  {
    method: 'GET',
    path: '/api/customers/:id/export',
    summary:
      'Everything kept of one customer, opened (account, people, sites, boxes, cases with timeline and audit, ratings, notification settings); an operator signed in with the emailed code',
    access: { roles: ['operator'] },
    answers: { '403': 'SIGN_IN_REQUIRED: an API token is not enough', '404': 'CUSTOMER_NOT_FOUND' },
  },
  {
    method: 'POST',
    path: '/api/customers/:id/erase',
    summary:
      'Erase a customer: its keys (cases and audit entries then read "(erased)", their chains still verify), people, contacts, sessions, the account\'s personal fields',
    access: { roles: ['operator'] },
    body: EraseCustomerRequest,
    answers: {
      '400': "CONFIRMATION_MISMATCH: `confirm` is not the business's name",
      '403': 'SIGN_IN_REQUIRED: an API token is not enough',
      '404': 'CUSTOMER_NOT_FOUND',
    },
  },
  {
    method: 'POST',
    path: '/api/customers/:id/people/:userId/erase',
    summary: 'Erase one person of a customer: their key, user document, sessions and contacts',
    access: { roles: ['operator'] },
    answers: {
      '403': 'SIGN_IN_REQUIRED: an API token is not enough',
      '404': 'PERSON_NOT_FOUND',
    },
  },
  // ---- end h21-privacy ----
];

const error = {
  type: 'object',
  required: ['error', 'code'],
  properties: { error: { type: 'string' }, code: { type: 'string' }, details: {} },
};

function schemaOf(type: z.ZodType, io: 'input' | 'output' = 'input') {
  // Requests as callers send them (defaults are optional for them), answers as they come.
  const schema: Record<string, unknown> = z.toJSONSchema(type, { io, unrepresentable: 'any' });
  delete schema.$schema;
  return schema;
}

function operation(route: RouteSpec) {
  const params = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string', maxLength: 100 },
  }));
  const query = route.query
    ? Object.entries(
        (schemaOf(route.query) as { properties?: Record<string, unknown> }).properties ?? {},
      ).map(([name, schema]) => ({ name, in: 'query', required: false, schema }))
    : [];
  const access = route.access;
  const responses: Record<string, unknown> = {
    '200': {
      description: 'Done',
      ...(route.response && {
        content: { 'application/json': { schema: schemaOf(route.response, 'output') } },
      }),
    },
    '400': { description: 'Invalid input', content: { 'application/json': { schema: error } } },
    '429': { description: 'Too many requests' },
  };
  if ('roles' in access) {
    responses['401'] = { description: 'No or unknown credentials' };
    responses['403'] = { description: `Needs the role ${access.roles.join(' or ')}` };
  }
  for (const [status, description] of Object.entries(route.answers ?? {})) {
    responses[status] = {
      description,
      ...(status === '429' && { headers: { 'Retry-After': { schema: { type: 'integer' } } } }),
      ...(status >= '400' && { content: { 'application/json': { schema: error } } }),
    };
  }
  return {
    summary: route.summary,
    'x-roles': 'roles' in access ? access.roles : [access.public],
    security: 'roles' in access ? [{ bearer: [] }, { sessionCookie: [] }] : [],
    parameters: [...params, ...query],
    ...(route.body && {
      requestBody: {
        required: true,
        content: { 'application/json': { schema: schemaOf(route.body) } },
      },
    }),
    responses,
  };
}

/** The OpenAPI 3.1 document of `routes`. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Zen & Zen Network Support API',
      version: '1',
      description:
        'Support cases, devices and sign-in. People use a bearer API token or the portal cookies; devices their device token; the worker its service token.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'zen_session' },
      },
    },
    paths,
  };
}
