import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { CaseChannel } from '../contracts/case';
import { deviceByDeviceId } from '../store/lookups';
import { Customer } from '../store/models';
import {
  caseWorkflowId,
  joinCaseUpdate,
  searchAttributes,
  type CaseInput,
  type FollowUpOf,
} from '../workflows/messages';
import { supportCase } from '../workflows/supportCase';
import type { Principal } from './auth';
import { HttpError } from './errors';
import { reachesCustomer } from './tenantScope';
import { SlaSettings } from '../contracts/technician';
import { subscriptionOf } from '../contracts/tenancy';
import { sealCallerNumber, sealWords } from '../privacy/writers';

// Opening (or joining) a device's case: for the case routes, the Zen box's own
// reports and the phone. A module of its own so the phone's call flow needs
// nothing of ./cases, which reaches the phone to call customers.

/** How new cases are started: the API's configuration, not the caller's. */
export interface CaseDefaults {
  taskQueue: string;
  settings: CaseInput['settings'];
  /** Service levels for customers without their own (config `sla`). */
  sla?: SlaSettings;
}

export interface OpenCaseOptions {
  deviceId: string;
  channel: CaseChannel;
  description?: string;
  callerPhone?: string;
  /** The closed case this one follows up (api/followUp.ts). */
  followUp?: FollowUpOf;
}

export interface OpenedCase {
  caseId: string;
  workflowId: string;
  joined: boolean;
}

export async function openCase(
  client: Client,
  principal: Principal,
  request: OpenCaseOptions,
  defaults: CaseDefaults,
): Promise<OpenedCase> {
  const device = await deviceByDeviceId(request.deviceId);
  // The same answer for "no such device" and "not yours": ids are not probeable.
  if (!device || !canActFor(principal, device.customerId, device.deviceId)) {
    throw new HttpError(404, 'DEVICE_NOT_FOUND', `No device ${request.deviceId}`);
  }
  const customer = await Customer.findById(device.customerId).lean();
  if (!customer) throw new HttpError(404, 'DEVICE_NOT_FOUND', `No device ${request.deviceId}`);
  assertSubscriptionOpensCases(customer.subscriptionStatus);
  // The workflow carries personal values sealed only (privacy/): its history cannot forget.
  // The number first: it makes the caller's key, with the number kept beside it.
  const callerPhone =
    request.callerPhone && (await sealCallerNumber(customer._id, request.callerPhone));
  const description =
    request.description && (await sealWords(principal, customer._id, request.description));

  const input: CaseInput = {
    caseId: randomUUID(),
    customerId: customer._id,
    businessName: customer.businessName,
    siteId: device.siteId,
    deviceId: device.deviceId,
    channel: request.channel,
    openedBy: { id: principal.id, role: principal.role, customerId: principal.customerId },
    description: description || undefined,
    callerPhone: callerPhone || undefined,
    followUp: request.followUp,
    settings: defaults.settings,
    sla: serviceLevels(customer.sla, defaults.sla),
  };
  const workflowId = caseWorkflowId(device.deviceId);
  const startWorkflowOperation = new WithStartWorkflowOperation(supportCase, {
    workflowId,
    taskQueue: defaults.taskQueue,
    args: [input],
    // A running case for this device is joined rather than duplicated.
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: searchAttributes.status, value: 'open' },
      { key: searchAttributes.customerId, value: customer._id },
      { key: searchAttributes.deviceId, value: device.deviceId },
      { key: searchAttributes.channel, value: request.channel },
      { key: searchAttributes.issueCategory, value: 'unknown' },
    ],
    memo: { businessName: customer.businessName },
    // The reporter's words stay out: these are kept in clear in the history.
    staticSummary: `${customer.businessName}: network problem (device ${device.deviceId}, via ${request.channel})`,
    staticDetails: [
      `**Customer:** ${customer.businessName} (${customer._id})`,
      `**Device:** ${device.deviceId}`,
      `**Opened through:** ${request.channel} by ${principal.role} ${principal.id}`,
      request.description ? '**Reported problem:** in the case, in the words of its reporter' : '',
    ]
      .filter(Boolean)
      .join('\n\n'),
  });
  const result = await client.workflow.executeUpdateWithStart(joinCaseUpdate, {
    args: [
      {
        caseId: input.caseId,
        channel: request.channel,
        actor: input.openedBy,
        // A joining reporter's words are kept beside the opener's.
        description: description || undefined,
        followUp: request.followUp,
      },
    ],
    startWorkflowOperation,
  });
  return { caseId: result.caseId, workflowId, joined: result.joined };
}

/** A paused or ended subscription opens no case: the portal and the phone say why in its words. */
export class SubscriptionRefused extends HttpError {}

export function assertSubscriptionOpensCases(status: string | null | undefined): void {
  const subscription = subscriptionOf(status);
  if (subscription.rules.opensCases) return;
  throw new SubscriptionRefused(
    403,
    subscription.status === 'cancelled' ? 'SUBSCRIPTION_CANCELLED' : 'SUBSCRIPTION_SUSPENDED',
    subscription.notice ?? 'Your Zen & Zen service does not open new support cases right now.',
  );
}

/**
 * The channel a request came through, from how it was authenticated: a portal sign-in
 * (its session), a personal API token (scripts, `npm run demo`), or the Zen box itself.
 * The phone's call flow opens its cases with 'phone'.
 */
export function channelOf(principal: Principal): CaseChannel {
  if (principal.role === 'device') return 'agent';
  return principal.sessionId ? 'portal' : 'api';
}

export function canActFor(principal: Principal, customerId: string, deviceId?: string): boolean {
  if (principal.role === 'device') return principal.deviceId === deviceId;
  return reachesCustomer(principal, customerId);
}

/** The customer's own service levels when complete and valid, else the defaults. */
export function serviceLevels(
  own: unknown,
  fallback: SlaSettings | undefined,
): SlaSettings | undefined {
  const parsed = SlaSettings.safeParse(own);
  return parsed.success ? parsed.data : fallback;
}
