import { floorMonth } from '../../api/monitoring/historyBuckets';
import type { RetentionSettings } from '../../activities/retention';
import { AdvisorCall } from '../../store/advisorCalls';
import { HealthHours, HealthOutage } from '../../store/healthHistory';
import {
  AuditEntry,
  Case,
  DeviceCommandDoc,
  EnrollmentCodeDoc,
  OneTimeCode,
  Session,
  SignInThrottle,
  WebhookEvent,
} from '../../store/models';
import { MonitorTransition, transitionClaimKeepMs } from '../../store/monitorTransitions';
import { CaseSatisfaction } from '../../store/satisfaction';

// Rows of every kind retention handles, each just past its age ("due") or just within it
// ("kept"), written straight to the collections so their dates are exactly what the test says.

const hour = 3_600_000;
const day = 24 * hour;

/** Every seeded row by collection: which must go and which must stay. */
export interface Seeded {
  due: Record<string, string[]>;
  kept: Record<string, string[]>;
}

type Collection = { collection: { insertMany(docs: never[]): Promise<unknown> } };

export async function seedRetentionRows(
  tag: string,
  settings: RetentionSettings,
  now = Date.now(),
): Promise<Seeded> {
  const seeded: Seeded = { due: {}, kept: {} };
  const put = async (
    model: Collection,
    name: string,
    fate: 'due' | 'kept',
    docs: ({ _id: string } & Record<string, unknown>)[],
  ) => {
    await model.collection.insertMany(docs as never[]);
    (seeded[fate][name] ??= []).push(...docs.map((d) => d._id));
  };
  const ago = (ms: number) => new Date(now - ms);
  const justPast = (ms: number) => ago(ms + hour);
  const justWithin = (ms: number) => ago(ms - hour);

  // Cases: closed ones either side of their age, each with what hangs from it; open ones, old.
  const caseAge = settings.closedCaseDays * day;
  const caseDoc = (id: string, status: string, completedAt?: Date) => ({
    _id: id,
    workflowId: `support-case-${id}`,
    customerId: `cust-${tag}`,
    deviceId: `dev-${id}`,
    channel: 'portal',
    status,
    createdAt: ago(caseAge + 30 * day),
    updatedAt: completedAt ?? ago(caseAge + 30 * day),
    ...(completedAt && { completedAt }),
  });
  const dueCases = ['resolved', 'escalated', 'cancelled'].map((status, i) =>
    caseDoc(`${tag}-old-${status}`, status, justPast(caseAge + i * day)),
  );
  const keptCases = [
    caseDoc(`${tag}-recent-resolved`, 'resolved', justWithin(caseAge)),
    // Open however old, even with a stale close date (a case reopened by its workflow).
    caseDoc(`${tag}-old-open`, 'awaiting_technician', justPast(caseAge + 400 * day)),
    caseDoc(`${tag}-old-diagnosing`, 'diagnosing'),
  ];
  await put(Case, 'cases', 'due', dueCases);
  await put(Case, 'cases', 'kept', keptCases);
  for (const [fate, cases] of [
    ['due', dueCases],
    ['kept', keptCases],
  ] as const) {
    for (const c of cases) {
      const at = c.completedAt ?? c.createdAt;
      await put(AuditEntry, 'audit', fate, [
        auditEntry(c._id, 1, at, 'genesis'),
        auditEntry(c._id, 2, at, 'h1'),
      ]);
      await put(DeviceCommandDoc, 'commands', fate, [
        {
          _id: `${c._id}:1`,
          deviceId: c.deviceId,
          caseId: c._id,
          command: { type: 'run_checks' },
          taskToken: 'dG9rZW4=',
          status: 'answered',
          createdAt: at,
          updatedAt: at,
        },
      ]);
      await put(AdvisorCall, 'advisorCalls', fate, [
        { _id: `${c._id}-call`, caseId: c._id, round: 1, createdAt: at, updatedAt: at },
      ]);
      await put(CaseSatisfaction, 'satisfaction', fate, [
        { _id: c._id, customerId: c.customerId, score: 5, channel: 'portal', at },
      ]);
    }
  }

  // Health history: a month bucket wholly before the cutoff goes; the cutoff's own month stays.
  const cutoffMonth = floorMonth(ago(settings.healthDays * day));
  const monthBefore = new Date(
    Date.UTC(cutoffMonth.getUTCFullYear(), cutoffMonth.getUTCMonth() - 1, 1),
  );
  const monthDoc = (month: Date) => ({
    _id: `${tag}-box|${month.toISOString().slice(0, 7)}`,
    deviceId: `${tag}-box`,
    month,
  });
  await put(HealthHours, 'healthHours', 'due', [monthDoc(monthBefore)]);
  await put(HealthHours, 'healthHours', 'kept', [monthDoc(cutoffMonth)]);
  const outage = (id: string, end?: Date) => ({
    _id: `offline|${tag}-box|${id}`,
    deviceId: `${tag}-box`,
    customerId: `cust-${tag}`,
    kind: 'offline',
    start: ago(settings.healthDays * day + 10 * day),
    ...(end && { end }),
  });
  await put(HealthOutage, 'outages', 'due', [outage('past', justPast(settings.healthDays * day))]);
  await put(HealthOutage, 'outages', 'kept', [
    outage('within', justWithin(settings.healthDays * day)),
    // Still going: an outage without an end is never history.
    outage('open'),
  ]);
  const claim = (id: string, at: Date) => ({ _id: `${tag}-box ${id}`, deviceId: `${tag}-box`, at });
  await put(MonitorTransition, 'monitorClaims', 'due', [
    claim('past', justPast(transitionClaimKeepMs)),
  ]);
  await put(MonitorTransition, 'monitorClaims', 'kept', [
    claim('within', justWithin(transitionClaimKeepMs)),
  ]);

  // Webhook events by when they arrived.
  const event = (id: string, createdAt: Date) => ({
    _id: `${tag}-${id}`,
    source: 'telnyx',
    eventType: 'call.hangup',
    createdAt,
    updatedAt: createdAt,
  });
  const webhookAge = settings.webhookEventDays * day;
  await put(WebhookEvent, 'webhookEvents', 'due', [event('past', justPast(webhookAge))]);
  await put(WebhookEvent, 'webhookEvents', 'kept', [event('within', justWithin(webhookAge))]);

  // Sign-ins: sessions counted from their expiry; throttles once they would start over.
  const session = (id: string, expiresAt: Date) => ({
    _id: `${tag}-${id}`,
    userId: `user-${tag}`,
    expiresAt,
    createdAt: ago(60 * day),
  });
  const signInAge = settings.signInDays * day;
  await put(Session, 'sessions', 'due', [session('past', justPast(signInAge))]);
  await put(Session, 'sessions', 'kept', [session('within', justWithin(signInAge))]);
  const throttle = (id: string, forgetAt: Date) => ({
    _id: `${tag}-${id}`,
    count: 3,
    nextAt: forgetAt,
    forgetAt,
    rev: 1,
  });
  await put(SignInThrottle, 'throttles', 'due', [throttle('past', justPast(0))]);
  await put(SignInThrottle, 'throttles', 'kept', [throttle('within', justWithin(0))]);

  // Codes, counted from their expiry.
  const codeAge = settings.codeDays * day;
  const otp = (id: string, expiresAt: Date) => ({ _id: `signin:${tag}-${id}`, expiresAt });
  await put(OneTimeCode, 'oneTimeCodes', 'due', [otp('past', justPast(codeAge))]);
  await put(OneTimeCode, 'oneTimeCodes', 'kept', [otp('within', justWithin(codeAge))]);
  const enrollment = (id: string, expiresAt: Date) => ({
    _id: `${tag}-${id}`,
    lookup: `${tag}-${id}`,
    codeHash: 'x',
    salt: 'y',
    customerId: `cust-${tag}`,
    siteId: `site-${tag}`,
    createdBy: `user-${tag}`,
    expiresAt,
  });
  await put(EnrollmentCodeDoc, 'enrollmentCodes', 'due', [enrollment('past', justPast(codeAge))]);
  await put(EnrollmentCodeDoc, 'enrollmentCodes', 'kept', [
    enrollment('within', justWithin(codeAge)),
  ]);
  return seeded;
}

function auditEntry(caseId: string, seq: number, at: Date, prevHash: string) {
  return {
    _id: `${caseId}:${seq}`,
    caseId,
    seq,
    actionType: 'step',
    actor: { id: 'system', role: 'system' },
    channel: 'agent',
    actionDetails: {},
    executedAt: at,
    prevHash,
    hash: `h${seq}`,
  };
}

type Readable = {
  collection: { find(filter: object): { toArray(): Promise<{ _id: unknown }[]> } };
};

const models: Record<string, Readable> = {
  cases: Case,
  audit: AuditEntry,
  commands: DeviceCommandDoc,
  advisorCalls: AdvisorCall,
  satisfaction: CaseSatisfaction,
  healthHours: HealthHours,
  outages: HealthOutage,
  monitorClaims: MonitorTransition,
  webhookEvents: WebhookEvent,
  sessions: Session,
  throttles: SignInThrottle,
  oneTimeCodes: OneTimeCode,
  enrollmentCodes: EnrollmentCodeDoc,
};

/** Which of the seeded rows are still there, by collection. */
export async function remaining(seeded: Seeded): Promise<Record<string, string[]>> {
  const left: Record<string, string[]> = {};
  for (const name of Object.keys(models)) {
    const ids = [...(seeded.due[name] ?? []), ...(seeded.kept[name] ?? [])];
    // The driver's find: advisor calls' ids are ObjectIds to mongoose, strings here.
    const found = await models[name]!.collection.find({ _id: { $in: ids } }).toArray();
    left[name] = found.map((d) => String(d._id)).sort();
  }
  return left;
}

export function sortedKept(seeded: Seeded): Record<string, string[]> {
  return Object.fromEntries(
    Object.keys(models).map((name) => [name, [...(seeded.kept[name] ?? [])].sort()]),
  );
}
