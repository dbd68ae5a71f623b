import mongoose from 'mongoose';
import { Advice, type TokenUsage } from '../../contracts/advice';
import { AdvisorCall } from '../../store/advisorCalls';
import { AdvisorCacheEntry } from '../../store/models';

// Claude's validated answers in `advisor_cache`, keyed by a hash of the engine
// version and the sanitized input, and what each case's Claude calls cost.
// Without a database connection (the eval script) nothing is cached or recorded.

const connected = () => mongoose.connection.readyState === 1;

export async function cachedAdvice(key: string): Promise<Advice | undefined> {
  if (!connected()) return undefined;
  const entry = await AdvisorCacheEntry.findOneAndUpdate(
    { _id: key },
    { $inc: { hits: 1 } },
    { new: true },
  ).lean();
  if (!entry) return undefined;
  // The stored answer is checked again: the database is not the contract.
  const parsed = Advice.safeParse(entry.advice);
  return parsed.success ? parsed.data : undefined;
}

export async function storeAdvice(
  key: string,
  engineVersion: string,
  advice: Advice,
  usage: TokenUsage | undefined,
): Promise<void> {
  if (!connected()) return;
  // First answer wins: a concurrent or retried call does not replace it.
  await AdvisorCacheEntry.updateOne(
    { _id: key },
    { $setOnInsert: { engineVersion, advice, usage, hits: 0 } },
    { upsert: true },
  );
}

/** Records one paid Claude answer on the case (see store/advisorCalls.ts). */
export async function recordUsage(
  caseId: string,
  call: { round: number; engineVersion: string; usage: TokenUsage },
): Promise<void> {
  if (!connected()) return;
  await AdvisorCall.create({ caseId, ...call });
}

/** Notes on the case that Claude's answer was not used, and why. */
export async function recordRejection(
  caseId: string,
  rejection: { round: number; engineVersion: string; reason: string },
): Promise<void> {
  if (!connected()) return;
  const { reason, ...call } = rejection;
  await AdvisorCall.create({ caseId, ...call, rejection: reason });
}
