import type { CaseFigures, CaseOutcome } from '../contracts/caseFigures';
import type { StepRecord } from '../activities/caseStore';
import type { CaseState } from './messages';

// What a closing case leaves for the numbers (contracts/caseFigures.ts), in whole seconds.

const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));

export function caseFigures(state: CaseState): CaseFigures {
  const closedAt = state.closedAt ?? Date.now();
  const resolved = state.status === 'resolved';
  const phase = state.technician;
  return {
    outcome: state.status as CaseOutcome,
    ...(resolved && state.resolvedBy && { resolvedBy: state.resolvedBy }),
    times: {
      totalSeconds: seconds(closedAt - state.openedAt),
      ...(resolved && { resolutionSeconds: seconds(closedAt - state.openedAt) }),
      approvalWaitSeconds: seconds(state.approvalWaitMs ?? 0),
      ...(phase && { technicianSeconds: seconds(closedAt - phase.handedOverAt) }),
      ...(phase?.firstResponseAt !== undefined && {
        firstResponseSeconds: seconds(phase.firstResponseAt - phase.handedOverAt),
      }),
    },
    slaBreaches: state.sla?.breaches ?? [],
  };
}

/** What the closing step writes on the case document beside its status. */
export function closingRecord(
  state: CaseState,
): Pick<StepRecord, 'resolution' | 'unfixable' | 'figures'> {
  const { resolution, unfixable } = state.technician ?? {};
  return {
    ...(resolution && { resolution: { code: resolution.code, summary: resolution.summary } }),
    ...(unfixable && { unfixable: { reason: unfixable.reason, summary: unfixable.summary } }),
    ...(state.figures && { figures: state.figures }),
  };
}
