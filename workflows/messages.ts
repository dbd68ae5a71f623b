import {
  ApplicationFailure,
  defineSearchAttributeKey,
  SearchAttributeType,
} from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Advice } from '../contracts/advice';
import type { Actor, CaseChannel, CaseStatus, IssueCategory } from '../contracts/case';
import type { CheckResult } from '../contracts/diagnostics';
import type { CaseFigures, ResolvedBy } from '../contracts/caseFigures';
import type { CheckName } from '../contracts/checks';
import type { Repairs } from '../contracts/fixes';
import type { ActionId } from '../contracts/remediation';
import type {
  NoteVisibility,
  ResolutionCode,
  SlaBreach,
  SlaSettings,
  UnfixableReason,
} from '../contracts/technician';

// Message definitions of the supportCase workflow. Every caller (API, phone,
// portal, tests) imports them from here so names and payloads cannot drift.

export const TASK_QUEUE = 'support-cases';

/** One open case per device: the workflow id is derived from the device. */
export function caseWorkflowId(deviceId: string): string {
  return `support-case-${deviceId}`;
}

/** One event, one notifyPeople workflow: the same id wherever it is raised (notifier/notify.ts). */
export function notificationWorkflowId(key: string): string {
  return `notify:${key}`;
}

export const searchAttributes = {
  status: defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD),
  customerId: defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD),
  deviceId: defineSearchAttributeKey('DeviceId', SearchAttributeType.KEYWORD),
  channel: defineSearchAttributeKey('CaseChannel', SearchAttributeType.KEYWORD),
  issueCategory: defineSearchAttributeKey('IssueCategory', SearchAttributeType.KEYWORD),
};

/** Durations in milliseconds; the defaults suit a real customer, tests shorten them. */
export interface CaseSettings {
  /** How long a proposed fix waits before the customer is reminded. */
  approvalTimeoutMs: number;
  /** After the reminder, how long until the case is escalated. */
  approvalGraceMs: number;
  /** Cases from before manual steps: how long to wait for an offline box before escalating. */
  deviceOfflineLimitMs: number;
  /**
   * How long an unreachable box gets to come back by itself (a reconnect, its own LTE
   * link) before the customer is asked to do something.
   */
  reconnectGraceMs: number;
  /** After the customer was told what to do, how long to wait for the box before escalating. */
  manualStepWaitMs: number;
  /** How long a step on site (the office's fault, the box online) waits for the customer's word. */
  customerStepWaitMs: number;
  /** How long one device command may take once delivered. */
  commandTimeoutMs: number;
  /** After a fix, how long the network gets to settle before the checks run again. */
  settleAfterFixMs: number;
  /** Diagnose → advise rounds before a human takes over. */
  maxRounds: number;
  /**
   * How long a case handed to the technicians waits for one to claim it; unclaimed, it
   * closes as escalated (the pager and the SLA have called people long before). 0: the
   * hand-over closes the case at once, as before the technician phase.
   */
  technicianWaitMs: number;
}

export const defaultCaseSettings: CaseSettings = {
  approvalTimeoutMs: 15 * 60_000,
  approvalGraceMs: 5 * 60_000,
  deviceOfflineLimitMs: 10 * 60_000,
  reconnectGraceMs: 2 * 60_000,
  manualStepWaitMs: 30 * 60_000,
  customerStepWaitMs: 30 * 60_000,
  commandTimeoutMs: 2 * 60_000,
  settleAfterFixMs: 60_000,
  maxRounds: 4,
  technicianWaitMs: 14 * 24 * 60 * 60_000,
};

export interface CaseInput {
  caseId: string;
  customerId: string;
  businessName: string;
  siteId: string;
  deviceId: string;
  channel: CaseChannel;
  openedBy: Actor;
  description?: string;
  callerPhone?: string;
  /** Set when the case follows up a closed one the customer says is still broken. */
  followUp?: FollowUpOf;
  settings?: Partial<CaseSettings>;
  /** The customer's service levels as the case opened (absent: no SLA timers). */
  sla?: SlaSettings;
}

/** A follow-up's link to the case it reopens, and the person it is handed to. */
export interface FollowUpOf {
  ofCaseId: string;
  /** The operator's user id the API chose; absent when there is no operator to choose. */
  assignedOperator?: string;
}

/** One person's description of the problem: the opener's and every one that joined. */
export interface Report {
  at: number;
  channel: CaseChannel;
  actor: Actor;
  words: string;
}

export interface Proposal {
  actionId: string;
  action: ActionId;
  title: string;
  params: Record<string, unknown>;
  risk: string;
  estimatedDuration: string;
  diagnosis: string;
  rationale: string;
  proposedAt: number;
  expiresAt: number;
  reminded: boolean;
}

export interface Decision {
  actionId: string;
  approved: boolean;
  actor: Actor;
  channel: CaseChannel;
  note?: string;
  at: number;
}

export interface TimelineEntry {
  at: number;
  status: CaseStatus;
  text: string;
  /** Who did it, when a person or the box did (the API resolves a name to show). */
  actor?: Actor;
  channel?: CaseChannel;
  /** The customer's own words with it: an approval's note, a report's description. */
  note?: string;
  /** Operators only (an internal note, a missed service level): customers never see it. */
  internal?: boolean;
}

/** What the customer can do while the Zen box cannot reach us (workflows/manualStep.ts). */
export interface ManualStep {
  title: string;
  /** In order; shown and spoken numbered. */
  steps: string[];
  /** What the case knows that led to this step. */
  because: string;
  /** What the step is about: the case's category when it brings the box back. */
  category: IssueCategory;
  /** Nothing to do yet: the box itself is restarting something for about this long. */
  waitMs?: number;
  /**
   * The box is online and the step fixes the office's network: the case waits for the
   * customer to say it is done (customerStepDoneUpdate), then checks again.
   */
  awaitsWord?: boolean;
}

/** A technician's note: internal ones never reach the customer (api/caseView.ts). */
export interface TechnicianNote {
  at: number;
  actor: Actor;
  visibility: NoteVisibility;
  text: string;
}

/** The case with a person (workflows/technician.ts); absent until it is handed over. */
export interface TechnicianPhase {
  handedOverAt: number;
  /** A technician's first action on the case: claim, note, checks, a fix. */
  firstResponseAt?: number;
  notes: TechnicianNote[];
  /** Checks a technician asked for that have not yet run. */
  checksPending?: CheckName[];
  resolution?: { code: ResolutionCode; summary: string; actor: Actor; at: number };
  unfixable?: { reason: UnfixableReason; summary: string; actor: Actor; at: number };
}

export interface CaseState {
  caseId: string;
  customerId: string;
  deviceId: string;
  status: CaseStatus;
  step: string;
  channel: CaseChannel;
  channels: CaseChannel[];
  issueCategory: IssueCategory;
  round: number;
  deviceOnline: boolean;
  results: CheckResult[];
  advice?: Advice;
  proposal?: Proposal;
  decisions: Decision[];
  actionsTaken: ActionId[];
  diagnosis?: string;
  instructions?: string;
  /**
   * Where the fault lay when a fix of the box's own settings was proposed: a case
   * about the office ('office') closes only on evidence about the office.
   */
  faultScope?: Repairs;
  /**
   * Set while the customer can help: the Zen box is unreachable, or a step on site fixes
   * the office's network (`awaitsWord`); gone once the box is back or the step is done.
   */
  manualStep?: ManualStep;
  assignedOperator?: string;
  /** What each person who reported the problem said, the opener's first. */
  reports?: Report[];
  /** The closed case this one follows up: its checks alone never close it. */
  followUpOf?: string;
  timeline: TimelineEntry[];
  openedAt: number;
  closedAt?: number;
  resolutionMs?: number;
  /** Set once the case is handed to a person. */
  technician?: TechnicianPhase;
  /** Summed over every fix proposed: proposal to decision, or to its expiry. */
  approvalWaitMs?: number;
  /** The service levels the case runs against, and the deadlines it passed. */
  sla?: SlaSettings & { breaches: SlaBreach[] };
  /** Who brought about the close (set when the case closes). */
  resolvedBy?: ResolvedBy;
  /** What the numbers read (set when the case closes). */
  figures?: CaseFigures;
}

export const caseStateQuery = defineQuery<CaseState>('caseState');

/** Opening a case for a device that already has one joins it (update-with-start). */
export interface JoinRequest {
  /** The id the caller would give a new case; another id back means it joined. */
  caseId: string;
  channel: CaseChannel;
  actor: Actor;
  /** The joining person's own description: kept beside the opener's. */
  description?: string;
  /** The customer says a closed case of this box is still broken: a person takes this one. */
  followUp?: FollowUpOf;
}
export interface JoinResult {
  caseId: string;
  joined: boolean;
}
export const joinCaseUpdate = defineUpdate<JoinResult, [JoinRequest]>('joinCase');

/** The customer's (or an operator's) answer to a proposed fix: portal and phone alike. */
export interface DecisionRequest {
  actionId: string;
  approved: boolean;
  actor: Actor;
  channel: CaseChannel;
  note?: string;
}
export interface DecisionResult {
  status: 'approved' | 'declined';
  executionStarted: boolean;
  estimatedDuration: string;
}
export const decideRemediationUpdate = defineUpdate<DecisionResult, [DecisionRequest]>(
  'decideRemediation',
);

export interface TakeOverRequest {
  operator: Actor;
}
/** An operator claims the case (during the automation or once handed over). */
export const takeOverUpdate = defineUpdate<CaseState, [TakeOverRequest]>('takeOver');

// ---- with a technician (workflows/technician.ts) ------------------------------
// Each answers with the case's state once the request is taken in; long work (checks, a
// fix) goes on in the case and shows in its state and timeline.

/** An operator gives the case to another operator (or to themselves). */
export interface AssignRequest {
  actor: Actor;
  operatorId: string;
}
export const assignCaseUpdate = defineUpdate<CaseState, [AssignRequest]>('assignCase');

export interface NoteRequest {
  actor: Actor;
  visibility: NoteVisibility;
  text: string;
}
export const addNoteUpdate = defineUpdate<CaseState, [NoteRequest]>('addNote');

export interface TechnicianChecksRequest {
  actor: Actor;
  checks: CheckName[];
}
export const requestChecksUpdate = defineUpdate<CaseState, [TechnicianChecksRequest]>(
  'requestChecks',
);

/** A catalog fix on the customer's behalf: the customer still approves it. */
export interface TechnicianProposal {
  actor: Actor;
  action: ActionId;
  params: Record<string, unknown>;
  reason: string;
}
export const proposeFixUpdate = defineUpdate<CaseState, [TechnicianProposal]>('proposeFix');

export interface ResolveCaseRequest {
  actor: Actor;
  code: ResolutionCode;
  summary: string;
}
export const resolveCaseUpdate = defineUpdate<CaseState, [ResolveCaseRequest]>('resolveCase');

export interface CloseUnfixableRequest {
  actor: Actor;
  reason: UnfixableReason;
  summary: string;
}
export const closeUnfixableUpdate = defineUpdate<CaseState, [CloseUnfixableRequest]>(
  'closeUnfixable',
);

/** The customer (or an operator with them) says the step they were given is done. */
export interface StepDoneRequest {
  actor: Actor;
  channel: CaseChannel;
}
export const customerStepDoneUpdate = defineUpdate<CaseState, [StepDoneRequest]>(
  'customerStepDone',
);

export interface CloseRequest {
  actor: Actor;
  reason: string;
}
export const closeCaseSignal = defineSignal<[CloseRequest]>('closeCase');

/** The API tells the case when its device's connection comes and goes. */
export const deviceConnectionSignal = defineSignal<[{ online: boolean }]>('deviceConnection');

/** Call events from the phone channel (answered, hung up) for the case's record. */
export interface CallEvent {
  type: 'answered' | 'hangup' | 'gather_timeout';
  callControlId: string;
}
export const callEventSignal = defineSignal<[CallEvent]>('callEvent');

/** The Pi answered a command with an error: the case escalates instead of retrying. */
export const deviceCommandFailedType = 'DeviceCommandFailed';

export function deviceCommandFailure(reason: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(reason, deviceCommandFailedType);
}
