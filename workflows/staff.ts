import type { Actor } from '../contracts/case';

/**
 * Who works a case for the customer: Zen & Zen's operators, and the people of the
 * customer's IT partner. The workflow cannot see which customers a partner serves: the API
 * reaches a case only within the caller's scope (api/caseHandle.ts), so a partner's person
 * never sends an Update to another partner's case.
 */
export function isStaff(actor: Actor): boolean {
  return actor.role === 'operator' || actor.role === 'partner';
}
