import { z } from 'zod';

// Requests of the operators' privacy actions (api/routes/privacy.ts).

export const EraseCustomerRequest = z
  .object({
    /** The business's name, typed out: erasure cannot be undone. */
    confirm: z.string().min(1).max(200),
  })
  .strict();
export type EraseCustomerRequest = z.infer<typeof EraseCustomerRequest>;
