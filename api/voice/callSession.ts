import type { CaseStatus, IssueCategory } from '../../contracts/case';
import type { Box } from './boxChoice';
import type { FixFacts } from './words';

// What the phone keeps about one call while it lasts.

export type Phase =
  'opening' | 'choose' | 'reopen' | 'progress' | 'code' | 'decide' | 'rate' | 'closing' | 'ended';

export interface CallSession {
  id: string;
  from: string;
  customerId: string;
  email: string;
  businessName: string;
  workflowId?: string;
  /** The run of the case this call follows; a later case of the same box is not this call's. */
  runId?: string;
  phase: Phase;
  /** The site of the box the call is about: spoken and e-mailed, never logged. */
  site?: string;
  /** The boxes read out for a keypad choice, in the order read. */
  menu?: Box[];
  menuTries: number;
  /** The box whose case was closed as fixed lately: the caller is asked if it still is. */
  reopen?: { box: Box; several: boolean };
  /** The fix being approved on this call. */
  actionId?: string;
  fix?: FixFacts;
  category?: IssueCategory;
  /** Fixes this call will not ask about again (decided, declined on the phone, locked out). */
  settled: Set<string>;
  /** The status last spoken of, so each change is said once. */
  lastStatus?: CaseStatus;
  /** The title of the manual step last read out, so it is read once. */
  manualStep?: string;
  poller?: NodeJS.Timeout;
  /** A poll is queued or running. */
  polling: boolean;
  /** We called the customer about a case the Zen box opened. */
  outbound?: boolean;
  /** The case closed while the caller was on: it is rated on the keypad (./phoneRating). */
  rating?: { caseId: string; tries: number; closedSeenAt: number };
}
