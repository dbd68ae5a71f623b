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
