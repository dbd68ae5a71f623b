import { manualStepText } from './manualStep';
import type { CaseInput, CaseState } from './messages';

// What the Temporal UI shows operators as the case's current details: plain
// markdown from the case's state, written again at every step.

export function caseDetails(state: CaseState, input: CaseInput, lastRound: number): string {
  const lines = [
    `**Status:** ${state.status.replace('_', ' ')} — ${state.step}`,
    `**Customer:** ${input.businessName} · **Device:** ${input.deviceId} (${state.deviceOnline ? 'online' : 'offline'})`,
    `**Round:** ${state.round} of ${lastRound} · **Category:** ${state.issueCategory}`,
  ];
  if (state.diagnosis) lines.push(`**Diagnosis:** ${state.diagnosis}`);
  if (state.proposal) {
    lines.push(
      `**Waiting for approval:** ${state.proposal.title} (${state.proposal.risk} risk, about ${state.proposal.estimatedDuration})`,
    );
  }
  if (state.actionsTaken.length)
    lines.push(`**Fixes carried out:** ${state.actionsTaken.join(', ')}`);
  if (state.manualStep) lines.push(`**Customer asked to:** ${manualStepText(state.manualStep)}`);
  if (state.instructions) lines.push(`**Instructions:** ${state.instructions}`);
  if (state.assignedOperator) lines.push(`**Operator:** ${state.assignedOperator}`);
  const phase = state.technician;
  if (phase) {
    const notes = phase.notes.length;
    lines.push(
      `**With the technicians since:** ${new Date(phase.handedOverAt).toISOString()} · ${notes} note${notes === 1 ? '' : 's'}`,
    );
  }
  if (state.sla?.breaches.length) {
    lines.push(`**Service levels missed:** ${state.sla.breaches.map((b) => b.kind).join(', ')}`);
  }
  if (state.followUpOf)
    lines.push(`**Follows up case:** ${state.followUpOf} (still broken, says the customer)`);
  return lines.join('\n\n');
}
