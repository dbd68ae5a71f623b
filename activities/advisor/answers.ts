import type { Advice, AdvisorInput } from '../../contracts/advice';
import type { IssueCategory } from '../../contracts/case';
import type { ActionId } from '../../contracts/remediation';

// Building blocks the offline engine's rules share: a hand-over, the step the
// customer can take on site before a technician is needed, and the router steps
// that fix a resolver for every office device (not only the box).

export const escalate = (
  issueCategory: IssueCategory,
  diagnosis: string,
  instructions: string,
  rationale: string,
): Advice => ({ kind: 'escalate', issueCategory, diagnosis, instructions, rationale });

/** Proposes a fix once; if it was already carried out and the fault is still there, a person takes over. */
export function fixOnce(
  input: AdvisorInput,
  fix: { action: ActionId; params: Record<string, unknown>; diagnosis: string; rationale: string },
  issueCategory: IssueCategory,
  whenFixFailed: { instructions: string; rationale: string },
): Advice {
  if (input.actionsTaken.includes(fix.action)) {
    return escalate(
      issueCategory,
      fix.diagnosis,
      whenFixFailed.instructions,
      whenFixFailed.rationale,
    );
  }
  return { kind: 'remediate', issueCategory, ...fix };
}

/**
 * The hand-over's numbered lines as a step the customer can take on site: the case
 * shows it, waits for their word that it is done, and checks everything again.
 */
export function customerCanDo(advice: Advice, title: string): Advice {
  if (advice.kind !== 'escalate') return advice;
  const steps = advice.instructions
    .split('\n')
    .map((line) => /^\d+\.\s+(.+)$/.exec(line)?.[1])
    .filter((step): step is string => step !== undefined)
    .slice(0, 8);
  return steps.length > 0 ? { ...advice, customerStep: { title, steps } } : advice;
}

/** The customer's steps to give every office computer a working resolver, then the technician's note. */
export function routerDnsSteps(router: string, resolver: string, forTechnician: string): string {
  return [
    'To fix it for every computer in the office:',
    `1. On a computer in the office, open the router's settings page (usually http://${router}; the password is often on a sticker on the router).`,
    '2. Find the DHCP (or LAN) settings and the DNS server fields there.',
    `3. Enter ${resolver} as the DNS server, then save.`,
    '4. Restart the router: unplug it, wait ten seconds, plug it back in, and wait two minutes.',
    '5. Restart each computer, or reconnect it to the network, so it picks up the new setting.',
    'A technician will call you to do this with you or to confirm it works.',
    `For the technician: ${forTechnician}`,
  ].join('\n');
}
