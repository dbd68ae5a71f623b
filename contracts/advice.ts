import { z } from 'zod';
import { IssueCategory } from './case';
import { CheckName, CheckResult } from './diagnostics';
import { ActionId } from './remediation';

// The advisor's contract, whichever engine answers (Claude or the offline rules).
// Anything outside it is rejected before the workflow sees it.

export const AdvisorInput = z.object({
  caseId: z.string(),
  round: z.number().int().min(1),
  maxRounds: z.number().int().min(1),
  /** The latest result of every check run so far, sanitized on the device. */
  results: z.array(CheckResult),
  /** Actions already carried out in this case (so the same fix is not proposed twice). */
  actionsTaken: z.array(ActionId),
  /**
   * Where the fault lay when the case's box-only fixes were proposed (contracts/office.ts):
   * a case about the office closes only on evidence about the office.
   */
  faultScope: z.enum(['box', 'office']).optional(),
  /** The customer's own words: untrusted, quoted as data. */
  description: z.string().max(2000).optional(),
});
export type AdvisorInput = z.infer<typeof AdvisorInput>;

const text = z.string().min(1).max(2000);

export const CustomerStep = z.object({
  title: z.string().min(1).max(120),
  /** In order; shown and spoken numbered. */
  steps: z.array(z.string().min(1).max(500)).min(1).max(8),
});
export type CustomerStep = z.infer<typeof CustomerStep>;

/** Tokens one advisor answer cost (Claude only; the cache fields are prompt caching). */
export const TokenUsage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadInputTokens: z.number().int().nonnegative(),
  cacheCreationInputTokens: z.number().int().nonnegative(),
});
export type TokenUsage = z.infer<typeof TokenUsage>;

/** Which engine answered and why: set by the advisor activity, never by a model. */
export const AdviceMeta = z.object({
  engine: z.enum(['claude', 'offline']),
  engineVersion: z.string().max(200),
  /** The answer came from the advisor cache (no model call). */
  cached: z.boolean().optional(),
  /** Claude was asked but its answer was not used; the offline engine answered instead. */
  fallbackReason: z.string().max(1000).optional(),
  usage: TokenUsage.optional(),
});
export type AdviceMeta = z.infer<typeof AdviceMeta>;
const meta = AdviceMeta.optional();

export const Advice = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('more_checks'),
    checks: z.array(CheckName).min(1).max(11),
    rationale: text,
    meta,
  }),
  z.object({
    kind: z.literal('remediate'),
    action: ActionId,
    params: z.record(z.string(), z.unknown()),
    issueCategory: IssueCategory,
    diagnosis: text,
    rationale: text,
    meta,
  }),
  z.object({
    kind: z.literal('escalate'),
    issueCategory: IssueCategory,
    diagnosis: text,
    /** What the customer (or the technician) should do, in plain words. */
    instructions: text,
    /**
     * A step the customer can take on site themselves (unplug a second router, change a
     * router setting): the case waits for their word that it is done, then checks again.
     */
    customerStep: CustomerStep.optional(),
    rationale: text,
    meta,
  }),
  z.object({ kind: z.literal('healthy'), diagnosis: text, rationale: text, meta }),
]);
export type Advice = z.infer<typeof Advice>;
