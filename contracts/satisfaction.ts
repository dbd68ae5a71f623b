import { z } from 'zod';

// Asked once when a case closes (not when it is cancelled): a score of 1 to 5 and an
// optional comment, by an email link, in the portal, or on the phone's keypad.

export const SatisfactionScore = z.number().int().min(1).max(5);
export const SatisfactionChannel = z.enum(['email', 'portal', 'phone']);
export type SatisfactionChannel = z.infer<typeof SatisfactionChannel>;

export const SatisfactionAnswer = z
  .object({
    score: SatisfactionScore,
    comment: z.string().trim().max(1000).optional(),
  })
  .strict();
export type SatisfactionAnswer = z.infer<typeof SatisfactionAnswer>;

/** The answer as stored (store/satisfaction.ts) and shown with the case. */
export interface Satisfaction extends SatisfactionAnswer {
  caseId: string;
  customerId: string;
  channel: SatisfactionChannel;
  at: string;
}

/** What the rating page shows of the case its emailed link is for (GET /api/satisfaction/:token). */
export const RatingPage = z.object({
  businessName: z.string(),
  /** How the case ended, in plain words. */
  outcome: z.string(),
  closedAt: z.iso.datetime().optional(),
  answered: z.boolean(),
});
export type RatingPage = z.infer<typeof RatingPage>;

/** A case's rating as its page shows it; `rateable`: the customer may still answer. */
export const CaseSatisfactionView = z.object({
  rateable: z.boolean(),
  answer: z
    .object({
      score: SatisfactionScore,
      comment: z.string().optional(),
      channel: SatisfactionChannel,
      at: z.iso.datetime(),
    })
    .optional(),
});
export type CaseSatisfactionView = z.infer<typeof CaseSatisfactionView>;
