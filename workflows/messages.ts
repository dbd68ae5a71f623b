import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, CaseChannel, CaseStatus, IssueCategory } from '../contracts/case';

// Message definitions of the supportCase workflow. Every caller (API, phone,
// portal, tests) imports them from here so names and payloads cannot drift.

export const TASK_QUEUE = 'support-cases';

/** One open case per device: the workflow id is derived from the device. */
export function caseWorkflowId(deviceId: string): string {
  return `support-case-${deviceId}`;
}

export const searchAttributes = {
  status: defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD),
  customerId: defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD),
  deviceId: defineSearchAttributeKey('DeviceId', SearchAttributeType.KEYWORD),
  channel: defineSearchAttributeKey('CaseChannel', SearchAttributeType.KEYWORD),
  issueCategory: defineSearchAttributeKey('IssueCategory', SearchAttributeType.KEYWORD),
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
}

export interface CaseState {
  caseId: string;
  status: CaseStatus;
  step: string;
  channel: CaseChannel;
  issueCategory: IssueCategory;
  openedAt: number;
  closedAt?: number;
  resolutionMs?: number;
}

export const caseStateQuery = defineQuery<CaseState>('caseState');

export interface CloseRequest {
  actor: Actor;
  reason: string;
}
export const closeCaseSignal = defineSignal<[CloseRequest]>('closeCase');

/** Opening a case for a device that already has one joins it (update-with-start). */
export interface JoinRequest {
  /** The id the caller would give a new case; another id back means it joined. */
  caseId: string;
  channel: CaseChannel;
  actor: Actor;
}
export interface JoinResult {
  caseId: string;
  joined: boolean;
}
export const joinCaseUpdate = defineUpdate<JoinResult, [JoinRequest]>('joinCase');
