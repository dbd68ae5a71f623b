import { customerSubject } from './keys';
import { isSealed, seal } from './seal';

// Which fields of a step's details are a person's own words or numbers: sealed wherever
// they are kept (store/audit.ts seals any still plain before the entry is hashed).

export const personalDetailFields = [
  'description',
  'words',
  'note',
  'comment',
  'message',
  'callerPhone',
] as const;

export function hasPlainPersonalDetails(details: Record<string, unknown>): boolean {
  return personalDetailFields.some((f) => typeof details[f] === 'string' && !isSealed(details[f]));
}

/**
 * The details with every plain personal field sealed under the customer's key. `context`
 * (the entry's id) makes a retried write seal the same, so its hash matches.
 */
export async function sealPersonalDetails(
  details: Record<string, unknown>,
  customerId: string,
  context: string,
): Promise<Record<string, unknown>> {
  const out = { ...details };
  for (const field of personalDetailFields) {
    const value = out[field];
    if (typeof value === 'string' && !isSealed(value)) {
      out[field] = await seal(customerSubject(customerId), value, `${context}#${field}`);
    }
  }
  return out;
}
