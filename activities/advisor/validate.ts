import { Advice, type AdvisorInput } from '../../contracts/advice';
import { parseRemediation } from '../../contracts/remediation';
import { unjustified } from './guard';

// A model's answer is used only if it fits the contract, names a catalog action
// with the catalog's parameters, and passes the guard every answer passes
// (guard.ts: never a false "healthy", never an unjustified fix). Anything else
// is rejected with a reason and the offline engine answers instead.
//
// What "safe" means here: an answer can never leave the catalog (checked below,
// and again by the agent before it runs anything), and it can never skip the
// customer's approval: the workflow asks for approval for every `remediate`
// answer, whatever engine gave it, and no field of the advice can change that.

export class RejectedAdvice extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RejectedAdvice';
  }
}

export function validateModelAdvice(raw: unknown, input: AdvisorInput): Advice {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RejectedAdvice('contract: the tool input is not an object');
  }
  // The model may not speak for the activity: meta is set by us alone.
  const rest = { ...(raw as Record<string, unknown>) };
  delete rest.meta;
  const parsed = Advice.safeParse(rest);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new RejectedAdvice(`contract: ${issues.join('; ')}`);
  }
  let advice = parsed.data;
  if (advice.kind === 'remediate') {
    try {
      advice = { ...advice, ...parseRemediation(advice.action, advice.params) };
    } catch {
      throw new RejectedAdvice(`catalog: bad parameters for ${advice.action}`);
    }
  }
  const reason = unjustified(advice, input);
  if (reason) throw new RejectedAdvice(`consistency: ${reason}`);
  return advice;
}
