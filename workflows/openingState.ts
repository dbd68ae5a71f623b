import type { CaseInput, CaseState } from './messages';

/** A case's state as it opens: nothing checked yet, the opener's words its first report. */
export function openingState(input: CaseInput): CaseState {
  return {
    caseId: input.caseId,
    customerId: input.customerId,
    deviceId: input.deviceId,
    status: 'open',
    step: 'Case opened',
    channel: input.channel,
    channels: [input.channel],
    issueCategory: 'unknown',
    round: 0,
    deviceOnline: false,
    results: [],
    decisions: [],
    actionsTaken: [],
    timeline: [],
    openedAt: Date.now(),
    reports: input.description
      ? [
          {
            at: Date.now(),
            channel: input.channel,
            actor: input.openedBy,
            words: input.description,
          },
        ]
      : [],
  };
}
