import { Context } from '@temporalio/activity';
import mongoose, { type Model } from 'mongoose';
import { floorMonth } from '../api/monitoring/historyBuckets';
import { closedStatuses } from '../contracts/case';
import type { Config } from '../config';
import { AdvisorCall } from '../store/advisorCalls';
import { HealthHours, HealthOutage } from '../store/healthHistory';
import {
  AuditEntry,
  Case,
  DeviceCommandDoc,
  EnrollmentCodeDoc,
  OneTimeCode,
  Session,
  SignInThrottle,
  SignInThrottleClaim,
  WebhookEvent,
} from '../store/models';
import { MonitorTransition, transitionClaimKeepMs } from '../store/monitorTransitions';
import { CaseSatisfaction } from '../store/satisfaction';

// The daily retention run's work (workflows/retention.ts): one activity per kind of data,
// each deleting what is past its age in bounded batches and saying how many rows went.
// Every filter is applied again on the delete itself, so a row that changed between the read
// and the delete (a session refreshed, a code re-issued) is not taken. Monthly reports are
// not here: they are the business's own record (README "What we keep").

export type RetentionSettings = Config['retention'];

const dayMs = 24 * 3_600_000;
const before = (at: Date) => mongoose.trusted({ $lt: at });
const daysAgo = (days: number) => new Date(Date.now() - days * dayMs);

interface Deletable {
  find: Model<{ _id: unknown }>['find'];
  deleteMany: Model<{ _id: unknown }>['deleteMany'];
}

/** The activity's context; none when called outside an activity (a script or a test). */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** The kind's counts so far show in the Temporal UI (the activity's heartbeat details). */
const heartbeat = (details: Record<string, number>) => activityContext()?.heartbeat(details);

/** The worker's log gets each kind's counts, with the run's workflow id. */
const report = (kind: string, counts: Record<string, number>) =>
  activityContext()?.log.info(`retention: ${kind}`, counts);

export function createRetentionActivities(settings: RetentionSettings) {
  /** Deletes every row matching `filter`, `batchSize` at a time, at most `maxBatches` batches. */
  async function deleteInBatches(
    model: Deletable,
    filter: Record<string, unknown>,
    onBatch: (ids: unknown[]) => Promise<void> = async () => {},
  ): Promise<number> {
    let deleted = 0;
    for (let batch = 0; batch < settings.maxBatches; batch++) {
      const rows = await model.find(filter, { _id: 1 }).limit(settings.batchSize).lean();
      if (rows.length === 0) break;
      const ids = rows.map((row) => row._id);
      await onBatch(ids);
      const done = await model.deleteMany({ ...filter, _id: mongoose.trusted({ $in: ids }) });
      deleted += done.deletedCount;
      heartbeat({ deleted });
      if (rows.length < settings.batchSize) break;
    }
    return deleted;
  }

  /**
   * Closed cases past their age, with everything that hangs from them. The case document goes
   * last: a run stopped half-way finds the same case again the next day and finishes it.
   */
  async function expireClosedCases(): Promise<{
    cases: number;
    auditEntries: number;
    deviceCommands: number;
    advisorCalls: number;
    satisfaction: number;
  }> {
    const counts = { auditEntries: 0, deviceCommands: 0, advisorCalls: 0, satisfaction: 0 };
    const cases = await deleteInBatches(
      Case as unknown as Deletable,
      {
        status: mongoose.trusted({ $in: closedStatuses }),
        completedAt: before(daysAgo(settings.closedCaseDays)),
      },
      async (ids) => {
        const ofCases = { caseId: mongoose.trusted({ $in: ids }) };
        counts.auditEntries += (await AuditEntry.deleteMany(ofCases)).deletedCount;
        counts.deviceCommands += (await DeviceCommandDoc.deleteMany(ofCases)).deletedCount;
        counts.advisorCalls += (await AdvisorCall.deleteMany(ofCases)).deletedCount;
        counts.satisfaction += (
          await CaseSatisfaction.deleteMany({ _id: mongoose.trusted({ $in: ids }) })
        ).deletedCount;
      },
    );
    const result = { cases, ...counts };
    report('closed cases', result);
    return result;
  }

  /** Month buckets of hours and ended outages past their age; monitor claims after a day. */
  async function expireHealthHistory(): Promise<{
    months: number;
    outages: number;
    monitorClaims: number;
  }> {
    const cutoff = daysAgo(settings.healthDays);
    const result = {
      // A month goes once all of it is older than the cutoff (the compaction's own rule).
      months: await deleteInBatches(HealthHours as unknown as Deletable, {
        month: before(floorMonth(cutoff)),
      }),
      outages: await deleteInBatches(HealthOutage as unknown as Deletable, { end: before(cutoff) }),
      monitorClaims: await deleteInBatches(MonitorTransition as unknown as Deletable, {
        at: before(new Date(Date.now() - transitionClaimKeepMs)),
      }),
    };
    report('health history', result);
    return result;
  }

  async function expireWebhookEvents(): Promise<{ webhookEvents: number }> {
    const result = {
      webhookEvents: await deleteInBatches(WebhookEvent as unknown as Deletable, {
        createdAt: before(daysAgo(settings.webhookEventDays)),
      }),
    };
    report('webhook events', result);
    return result;
  }

  /** Sessions some time after they expired; sign-in throttles once they would start over. */
  async function expireSignIns(): Promise<{ sessions: number; throttles: number }> {
    const result = {
      sessions: await deleteInBatches(Session as unknown as Deletable, {
        expiresAt: before(daysAgo(settings.signInDays)),
      }),
      // With their revision claims (api/identity/throttle.ts), which start over with them.
      throttles:
        (await deleteInBatches(SignInThrottle as unknown as Deletable, {
          forgetAt: before(new Date()),
        })) +
        (await deleteInBatches(SignInThrottleClaim as unknown as Deletable, {
          forgetAt: before(new Date()),
        })),
    };
    report('sign-ins', result);
    return result;
  }

  async function expireCodes(): Promise<{ oneTimeCodes: number; enrollmentCodes: number }> {
    const cutoff = daysAgo(settings.codeDays);
    const result = {
      oneTimeCodes: await deleteInBatches(OneTimeCode as unknown as Deletable, {
        expiresAt: before(cutoff),
      }),
      enrollmentCodes: await deleteInBatches(EnrollmentCodeDoc as unknown as Deletable, {
        expiresAt: before(cutoff),
      }),
    };
    report('codes', result);
    return result;
  }

  return {
    expireClosedCases,
    expireHealthHistory,
    expireWebhookEvents,
    expireSignIns,
    expireCodes,
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
