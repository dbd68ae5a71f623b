import mongoose, { Schema } from 'mongoose';
import type { TokenUsage } from '../contracts/advice';

// What the advisor's Claude calls cost on a case, and the answers it refused: one
// document per call, only ever inserted. The case document has one writer at a time (the
// case's workflow); a second writer beside it loses updates on a MongoDB-protocol server
// that applies an update by reading and writing back the whole document (FerretDB does).

const advisorCallSchema = new Schema(
  {
    caseId: { type: String, required: true },
    round: Number,
    engineVersion: String,
    usage: {
      inputTokens: Number,
      outputTokens: Number,
      cacheReadInputTokens: Number,
      cacheCreationInputTokens: Number,
    },
    /** Why Claude's answer was not used (the offline engine answered instead). */
    rejection: String,
  },
  { timestamps: true, collection: 'advisor_calls', versionKey: false },
);
advisorCallSchema.index({ caseId: 1, createdAt: 1 });

export const AdvisorCall = mongoose.model('AdvisorCall', advisorCallSchema);

export interface CaseTokenUsage extends TokenUsage {
  /** Claude answers that were paid for. */
  requests: number;
}

/** What Claude cost on a case, summed over its calls; undefined when it was never paid. */
export async function caseTokenUsage(caseId: string): Promise<CaseTokenUsage | undefined> {
  const calls = (await AdvisorCall.find({ caseId }).lean()).filter((call) => call.usage);
  if (calls.length === 0) return undefined;
  const sum = (pick: (u: TokenUsage) => number) =>
    calls.reduce((total, call) => total + pick(call.usage as TokenUsage), 0);
  return {
    requests: calls.length,
    inputTokens: sum((u) => u.inputTokens),
    outputTokens: sum((u) => u.outputTokens),
    cacheReadInputTokens: sum((u) => u.cacheReadInputTokens),
    cacheCreationInputTokens: sum((u) => u.cacheCreationInputTokens),
  };
}

export interface AdvisorRejection {
  round: number;
  engineVersion: string;
  reason: string;
  at: Date;
}

/** Claude answers the advisor refused on a case, oldest first. */
export async function caseAdvisorRejections(caseId: string): Promise<AdvisorRejection[]> {
  const calls = await AdvisorCall.find({ caseId }).sort({ createdAt: 1 }).lean();
  return calls
    .filter((call) => call.rejection)
    .map((call) => ({
      round: call.round ?? 0,
      engineVersion: call.engineVersion ?? '',
      reason: call.rejection!,
      at: call.createdAt,
    }));
}
