import type { SlaBreach } from './technician';

// What a closed case leaves for the numbers (api/kpi, the monthly report, metrics): written
// onto the case document by its last step, so every figure is read from one place.

/** How the case ended; `escalated` only for cases from before the technician phase. */
export type CaseOutcome = 'resolved' | 'not_fixable_remotely' | 'escalated' | 'cancelled';

/** Who brought about the close: the automation alone, the customer's step, or a technician. */
export type ResolvedBy = 'automation' | 'customer' | 'technician';

/** Durations in seconds (whole, rounded); each absent when the case had no such phase. */
export interface CaseTimes {
  /** Opening to close, for every case. */
  totalSeconds: number;
  /** Opening to close when the case was resolved: its time to resolution. */
  resolutionSeconds?: number;
  /** Summed over every fix proposed: from the proposal to the decision (or its expiry). */
  approvalWaitSeconds: number;
  /** From the hand-over to a technician until the close. */
  technicianSeconds?: number;
  /** From the hand-over to a technician's first action. */
  firstResponseSeconds?: number;
}

export interface CaseFigures {
  outcome: CaseOutcome;
  resolvedBy?: ResolvedBy;
  times: CaseTimes;
  slaBreaches: SlaBreach[];
}
