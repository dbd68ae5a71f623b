import type { CaseState } from '../workflows/messages';

// What of a case a customer may read: internal notes and missed service levels are the
// operators' alone, in the live state, the timeline and the audit trail alike.

/** Audit steps customers never see (their hash chain is still verified in full). */
const internalSteps = new Set(['technician_note', 'sla_breached']);

export function isInternalStep(actionType: string): boolean {
  return internalSteps.has(actionType);
}

export function liveForCustomer(live: CaseState): CaseState {
  return {
    ...live,
    sla: undefined,
    timeline: live.timeline.filter((entry) => !entry.internal),
    technician: live.technician && {
      ...live.technician,
      notes: live.technician.notes.filter((note) => note.visibility === 'customer'),
    },
  };
}
