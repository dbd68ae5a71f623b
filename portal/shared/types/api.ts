// Shapes of the API responses the portal reads, shared by the app and the server proxy.
// They mirror the API's contracts (contracts/ at the repository root); the portal is built
// on its own, so it keeps its own copy of what it reads.

export interface HealthResponse {
  status: 'ok' | 'degraded';
  temporal: string;
  mongo: string;
}

export interface ApiError {
  error: string;
  code: string;
}

export type Role = 'customer' | 'operator' | 'partner';

export interface SessionInfo {
  userId: string;
  role: Role;
  email?: string;
  name?: string;
  customerId?: string;
  businessName?: string;
  expiresAt?: string;
  /** A customer's admin: manages its people, sites and boxes. */
  admin?: boolean;
  partnerId?: string;
  /** Customer people only: their business's subscription, and what it means in words. */
  subscription?: { status: SubscriptionStatus; notice?: string };
}

export const caseStatuses = [
  'open',
  'diagnosing',
  'awaiting_approval',
  'awaiting_customer',
  'fixing',
  'verifying',
  'awaiting_technician',
  'with_technician',
  'resolved',
  'escalated',
  'not_fixable_remotely',
  'cancelled',
] as const;
export type CaseStatus = (typeof caseStatuses)[number];

export const issueCategories = [
  'unknown',
  'none',
  'dns',
  'dhcp',
  'gateway',
  'modem',
  'isp',
  'packet-loss',
  'link',
  'filtering',
  'clock',
  'ip-conflict',
  'ipv6',
  'wifi',
  'performance',
  'lan-device',
] as const;
export type IssueCategory = (typeof issueCategories)[number];

export interface CaseSummary {
  id: string;
  workflowId: string;
  runId?: string;
  customerId: string;
  businessName?: string;
  status: CaseStatus;
  step?: string;
  deviceId: string;
  channel: 'portal' | 'phone' | 'agent' | 'api';
  issueCategory: IssueCategory;
  summary?: string;
  resolutionTimeMinutes?: number;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  /** When the automation handed it to the technicians. */
  handedOverAt?: string;
  /** A handed-over case's service-level deadlines (operators' queue). */
  slaDue?: SlaDue;
}

export interface CasesResponse {
  cases: CaseSummary[];
}

/** One check's result as the Zen box reports it; `data` depends on the check. */
export interface CheckResult {
  check: string;
  ok: boolean;
  durationMs: number;
  data: Record<string, unknown>;
  error?: string;
}

export interface Proposal {
  actionId: string;
  action: string;
  title: string;
  params: Record<string, unknown>;
  risk: string;
  estimatedDuration: string;
  diagnosis: string;
  rationale: string;
  proposedAt: number;
  expiresAt: number;
}

export interface Decision {
  actionId: string;
  approved: boolean;
  actor: { id: string; role: string };
  channel: string;
  note?: string;
  at: number;
}

export interface Advice {
  kind: 'more_checks' | 'remediate' | 'escalate' | 'healthy';
  diagnosis?: string;
  rationale: string;
  instructions?: string;
}

/** What the customer can do while their Zen box cannot reach us. */
export interface ManualStep {
  title: string;
  steps: string[];
  because: string;
  /** Nothing to do but wait: the Zen box is restarting something itself. */
  waitMs?: number;
  /** The Zen box is online: the case waits for the customer to say the step is done. */
  awaitsWord?: boolean;
}

export interface LiveCase {
  status: CaseStatus;
  step: string;
  round: number;
  deviceOnline: boolean;
  results: CheckResult[];
  advice?: Advice;
  proposal?: Proposal;
  decisions: Decision[];
  diagnosis?: string;
  instructions?: string;
  manualStep?: ManualStep;
  assignedOperator?: string;
  /** who: the API's name for the actor; note: the customer's words with the step. */
  timeline: { at: number; status: CaseStatus; text: string; who?: string; note?: string }[];
  openedAt: number;
  closedAt?: number;
  resolutionMs?: number;
  /** Set once the case is handed to a technician (see the technician section below). */
  technician?: TechnicianPhase;
  sla?: CaseSla;
}

export interface CaseDetail extends CaseSummary {
  results?: CheckResult[];
  live?: LiveCase;
  /** The closed case this one follows up, and (on a closed case) the follow-up it got. */
  followUpOf?: string;
  followUpCaseId?: string;
  /** The operator the case is with, by name. */
  assignedOperatorName?: string;
  /** Every reporter's words, the opener's first. */
  reports?: { at: string; channel: string; who: string; words: string }[];
}

export interface AuditEntry {
  id: string;
  seq: number;
  actionType: string;
  actor: { id: string; role: string };
  channel: string;
  actionDetails: Record<string, unknown>;
  userApproved: boolean;
  executedAt: string;
  /** The API's name for the actor. */
  who?: string;
}

export interface AuditResponse {
  entries: AuditEntry[];
  verification: { valid: boolean };
}

export interface DeviceHealth {
  led?: string;
  uptimeSeconds?: number;
  summary?: string;
  lte?: { signalDbm?: number; registered?: boolean };
}

/** LTE data of one calendar month (UTC), counted by the box both ways. */
export interface LteData {
  month: string;
  bytes: number;
  budgetBytes?: number;
  /** The month's budget is used up. */
  exhausted: boolean;
  /** What the box does over LTE once it is: a minimal link, or none. */
  whenUsed?: 'minimal' | 'offline';
}

/** How the box reaches the cloud: the office network, or its own LTE backup. */
export interface CloudLink {
  path: 'wired' | 'lte';
  since?: string;
  lteData?: LteData;
}

export interface DeviceSummary {
  deviceId: string;
  customerId: string;
  businessName?: string;
  site: { id: string; name?: string; address?: string };
  status: 'inactive' | 'online' | 'offline';
  lastSeen?: string;
  health?: DeviceHealth;
  cloudLink?: CloudLink;
  openCase?: { id: string; status: CaseStatus };
}

export interface DevicesResponse {
  devices: DeviceSummary[];
}

/** What the API pushes on the live socket after every step of a case. */
export interface CaseUpdate {
  caseId: string;
  status: CaseStatus;
  step: string;
  at: number;
}

export function isApiError(body: unknown): body is ApiError {
  return typeof body === 'object' && body !== null && 'code' in body && 'error' in body;
}

// ---- notification settings (GET/PUT /api/customers/me/notifications) ----

export const notificationEvents = [
  'approval_waiting',
  'approval_reminder',
  'case_resolved',
  'case_escalated',
  'case_not_fixable_remotely',
  'technician_message',
  'box_offline',
  'box_online',
  'internet_down',
  'internet_recovered',
] as const;
export type NotificationEvent = (typeof notificationEvents)[number];

/** Events that still come through in quiet hours (contracts/notifications.ts urgentEvents). */
export const urgentEvents: readonly NotificationEvent[] = [
  'approval_waiting',
  'approval_reminder',
  'case_escalated',
];

export const contactChannels = ['email', 'sms', 'phone'] as const;
export type ContactChannel = (typeof contactChannels)[number];

export interface Contact {
  name: string;
  email?: string;
  phone?: string;
  channels: ContactChannel[];
  events: NotificationEvent[];
}

export interface QuietHours {
  start: string;
  end: string;
  timeZone: string;
}

export interface NotificationSettings {
  contacts: Contact[];
  quietHours?: QuietHours;
}

/** A 400's details: each field that is wrong, by path (contacts.0.email). */
export interface FieldProblem {
  path: string;
  message: string;
}

// ---- a box's health history (GET /api/devices/:deviceId/health, …/outages) ----

export type ProbeTarget = 'gateway' | 'dns' | 'internet' | 'http';

export interface MonitorState {
  state: 'healthy' | 'fault';
  failing: ProbeTarget[];
  since: string;
  flaps?: number;
}

export interface HistoryPoint {
  at: string;
  minutes: number;
  failedMinutes: number;
  internetLossPct?: number;
  internetP50Ms?: number;
  internetP95Ms?: number;
  gatewayP50Ms?: number;
  dnsP50Ms?: number;
  failed: ProbeTarget[];
}

export interface DeviceCurrentHealth {
  online: boolean;
  lastSeen?: string;
  monitor?: MonitorState;
  cloudPath?: 'wired' | 'lte';
}

export interface DeviceHistory {
  deviceId: string;
  resolution: 'minute' | 'hour';
  from: string;
  to: string;
  points: HistoryPoint[];
  uptime: { day?: number; week?: number; month?: number };
  current: DeviceCurrentHealth;
}

export interface Outage {
  id: string;
  kind: 'offline' | 'internet' | 'gateway' | 'dns' | 'http';
  start: string;
  end?: string;
  failed: ProbeTarget[];
  caseId?: string;
}

export interface OutageList {
  deviceId: string;
  outages: Outage[];
}

/** What the API pushes on the live socket when a box's state changes: its whole current state. */
export interface DeviceHealthUpdate {
  deviceId: string;
  current: DeviceHistory['current'];
}

// ---- a case with a technician (issue #20; contracts/technician.ts, workflows/messages.ts) ----

export const resolutionCodes = [
  'fixed_remotely',
  'customer_fixed_on_site',
  'recovered_by_itself',
  'no_fault_found',
  'advice_given',
] as const;
export type ResolutionCode = (typeof resolutionCodes)[number];

export const unfixableReasons = [
  'onsite_visit',
  'isp_fault',
  'hardware_replacement',
  'customer_equipment',
  'third_party',
  'customer_unreachable',
] as const;
export type UnfixableReason = (typeof unfixableReasons)[number];

export const noteVisibilities = ['internal', 'customer'] as const;
export type NoteVisibility = (typeof noteVisibilities)[number];

/** Every check a technician can ask the Zen box for (contracts/checks.ts). */
export const checkIds = [
  'link',
  'ip_config',
  'dhcp',
  'gateway',
  'dns',
  'internet',
  'http',
  'traceroute',
  'modem',
  'mdns',
  'lte',
  'dhcp_servers',
  'dns_integrity',
  'path_mtu',
  'captive_portal',
  'tcp_tls',
  'clock_offset',
  'throughput',
  'latency_under_load',
  'router_api',
  'ip_conflict',
  'ipv6',
  'lan_inventory',
  'wifi',
] as const;
export type CheckId = (typeof checkIds)[number];

/** A technician's note; customers receive only the ones with visibility 'customer'. */
export interface TechnicianNote {
  at: number;
  actor: { id: string; role: string };
  /** The API's name for the technician. */
  who?: string;
  visibility: NoteVisibility;
  text: string;
}

export interface TechnicianPhase {
  handedOverAt: number;
  firstResponseAt?: number;
  notes: TechnicianNote[];
  checksPending?: CheckId[];
  resolution?: { code: ResolutionCode; summary: string; actor: { id: string }; at: number };
  unfixable?: { reason: UnfixableReason; summary: string; actor: { id: string }; at: number };
}

export type SlaKind = 'first_response' | 'resolution';

export interface CaseSla {
  firstResponseMinutes: number;
  resolutionMinutes: number;
  breaches: { kind: SlaKind; at: number }[];
}

/** When a handed-over case's first response and resolution are due (ISO 8601). */
export interface SlaDue {
  firstResponseBy: string;
  resolutionBy: string;
}

export interface OperatorsResponse {
  operators: { id: string; name: string }[];
}

/** One catalog fix a technician can propose (GET /api/fixes). */
export interface FixView {
  action: string;
  title: string;
  what: string;
  undo: string;
  risk: string;
  downtime: string;
  repairs: 'box' | 'office';
  /** The fix's parameters as JSON Schema. */
  params: JsonSchema;
}

export interface FixesResponse {
  fixes: FixView[];
}

/** The part of JSON Schema the catalog's parameters use. */
export interface JsonSchema {
  type?: 'object' | 'string' | 'integer' | 'number' | 'array' | 'boolean';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: (string | number)[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  items?: JsonSchema;
  additionalProperties?: boolean;
}

// ---- How did we do: a closed case's rating (contracts/satisfaction.ts) ----

export type SatisfactionChannel = 'email' | 'portal' | 'phone';

/** What each score means, 1 to 5 (the email's links say the same). */
export const satisfactionScores = [
  { score: 1, words: 'Poor' },
  { score: 2, words: 'Fair' },
  { score: 3, words: 'Good' },
  { score: 4, words: 'Very good' },
  { score: 5, words: 'Excellent' },
] as const;

export interface SatisfactionAnswer {
  score: number;
  comment?: string;
}

/** GET /api/satisfaction/:token: the rating page's case. */
export interface RatingPage {
  businessName: string;
  outcome: string;
  closedAt?: string;
  answered: boolean;
}

/** GET and POST /api/cases/:id/satisfaction. */
export interface CaseSatisfactionView {
  rateable: boolean;
  answer?: { score: number; comment?: string; channel: SatisfactionChannel; at: string };
}

// ---- the numbers for operators (GET /api/kpi; contracts/kpi.ts) ----

export const kpiOutcomes = ['resolved', 'not_fixable_remotely', 'escalated', 'cancelled'] as const;
export type KpiOutcome = (typeof kpiOutcomes)[number];

/** Nearest-rank quantiles in seconds; absent when no case had the duration. */
export interface KpiQuantiles {
  count: number;
  p50?: number;
  p90?: number;
}

export interface KpiDay {
  day: string;
  closed: Record<KpiOutcome, number>;
  mttrP50Seconds?: number;
}

export interface KpiReport {
  period: { from: string; to: string; customerId?: string };
  cases: {
    closed: number;
    byOutcome: Record<KpiOutcome, number>;
    byCategory: Record<string, number>;
  };
  resolvedWithoutPerson: { resolved: number; withoutPerson: number; ratio?: number };
  timeToResolution: { all: KpiQuantiles; automatic: KpiQuantiles; technician: KpiQuantiles };
  approvalWait: KpiQuantiles;
  firstResponse: KpiQuantiles;
  slaBreaches: { first_response: number; resolution: number };
  satisfaction: { asked: number; answers: number; average?: number; responseRatio?: number };
  boxes: { count: number; onlineNow: number; onlineNowRatio?: number; onlinePeriodRatio?: number };
  daily: KpiDay[];
}

// ---- the console: customers, partners, people, sites (issue #21; contracts/tenancy.ts) ----

export const subscriptionStatuses = [
  'trial',
  'active',
  'past_due',
  'suspended',
  'cancelled',
] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

export type CustomerRole = 'admin' | 'member';

export interface CustomerListItem {
  id: string;
  businessName: string;
  /** Absent from lists built before subscriptions. */
  subscriptionStatus?: SubscriptionStatus;
  partnerId?: string;
}

/** GET /api/customers?q=&cursor=&limit= */
export interface CustomersPage {
  customers: CustomerListItem[];
  nextCursor?: string;
}

export interface SiteView {
  id: string;
  name: string;
  address?: string;
}

/** GET /api/customers/:id */
export interface CustomerView {
  id: string;
  businessName: string;
  email: string;
  phones: string[];
  subscriptionStatus: SubscriptionStatus;
  notice?: string;
  partnerId?: string;
  partnerName?: string;
  sites: SiteView[];
  createdAt: string;
}

/** One of a customer's people (GET /api/customers/:id/people). */
export interface PersonView {
  id: string;
  email: string;
  name?: string;
  role: CustomerRole;
  createdAt: string;
}

export interface PartnerView {
  id: string;
  name: string;
  createdAt: string;
}

/** POST /api/devices/enrollment-codes */
export interface EnrollmentCode {
  code: string;
  expiresAt: string;
  siteId: string;
  /** The API address the box's installer is given. */
  apiUrl: string;
}

// ---- integration tokens (GET/POST /api/tokens, DELETE /api/tokens/:id; contracts/apiTokens.ts) ----

export const tokenRoles = ['operator', 'partner', 'customer_admin', 'customer'] as const;
export type TokenRole = (typeof tokenRoles)[number];

export interface ApiTokenView {
  id: string;
  name: string;
  role: TokenRole;
  customerId?: string;
  partnerId?: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

/** POST /api/tokens: the token's text comes in this answer only. */
export interface CreatedApiToken extends ApiTokenView {
  token: string;
}
