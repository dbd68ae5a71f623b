import { Escalation } from './escalation';
import type { CaseState } from './messages';

// A follow-up case: the customer said a closed case is still broken. The box's checks
// run again for fresh evidence, but a person, not the checks, decides it is fixed.

/** The hand-over that ends a follow-up whose checks pass: to the person assigned. */
export function handOver(state: CaseState, checksSay: string): Escalation {
  return new Escalation(
    state.issueCategory,
    `The Zen box's checks pass (${checksSay}), but you told us the network is still not working.`,
    state.assignedOperator
      ? 'A Zen & Zen technician has been assigned to your case and will call you to look at it with you.'
      : 'A Zen & Zen technician will call you to look at it with you.',
  );
}
