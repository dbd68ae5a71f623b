import mongoose from 'mongoose';
import { Advice, type TokenUsage } from '../../contracts/advice';
import { Case, AdvisorCacheEntry } from '../../store/models';

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

/** Adds one call's tokens to the case document (if it exists yet). */
export async function recordUsage(caseId: string, usage: TokenUsage): Promise<void> {
  if (!connected()) return;
  await Case.updateOne(
    { _id: caseId },
    {
      $inc: {
        'tokenUsage.requests': 1,
        'tokenUsage.inputTokens': usage.inputTokens,
        'tokenUsage.outputTokens': usage.outputTokens,
        'tokenUsage.cacheReadInputTokens': usage.cacheReadInputTokens,
        'tokenUsage.cacheCreationInputTokens': usage.cacheCreationInputTokens,
      },
    },
  );
}

/** Notes on the case document that Claude's answer was not used, and why. */
export async function recordRejection(
  caseId: string,
  rejection: { round: number; engineVersion: string; reason: string },
): Promise<void> {
  if (!connected()) return;
  await Case.updateOne(
    { _id: caseId },
    { $push: { advisorRejections: { ...rejection, at: new Date() } } },
  );
}
