import { z } from 'zod';

// Integration tokens (`zu_…`): what each acts as, and the bodies of /api/tokens.

/** What a token acts as: a partner token for its partner, a customer token for one customer. */
export const TokenRole = z.enum(['operator', 'partner', 'customer_admin', 'customer']);
export type TokenRole = z.infer<typeof TokenRole>;

export const tokenLifetimeDays = { min: 1, max: 365, default: 90 } as const;

const id = z.string().trim().min(1).max(100);

/** POST /api/tokens */
export const CreateTokenRequest = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: TokenRole,
    /** The customer a customer or customer_admin token acts for (a customer admin's own by default). */
    customerId: id.optional(),
    /** Operators only: the partner a partner token acts for (a partner's own by default). */
    partnerId: id.optional(),
    expiresInDays: z
      .number()
      .int()
      .min(tokenLifetimeDays.min)
      .max(tokenLifetimeDays.max)
      .default(tokenLifetimeDays.default),
  })
  .strict();
export type CreateTokenRequest = z.infer<typeof CreateTokenRequest>;

export const TokenView = z.object({
  id: z.string(),
  name: z.string(),
  role: TokenRole,
  customerId: z.string().optional(),
  partnerId: z.string().optional(),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
export type TokenView = z.infer<typeof TokenView>;

export const TokenList = z.object({ tokens: z.array(TokenView) });

/** The answer to POST /api/tokens: the token's text, shown this once and never again. */
export const CreatedToken = TokenView.extend({ token: z.string() });
