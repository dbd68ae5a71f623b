import { Advice, type AdvisorInput } from '../../contracts/advice';
import { baselineChecks } from '../../contracts/checks';
import { type CheckResult } from '../../contracts/diagnostics';
import { parseRemediation } from '../../contracts/remediation';

// A model's answer is used only if it fits the contract, names a catalog action
// with the catalog's parameters, and agrees with the measurements in the ways
// that matter for safety. Anything else is rejected with a reason and the
// offline engine answers instead.
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

function latestUsable(results: CheckResult[]): Map<string, CheckResult> {
  const latest = new Map(results.map((r) => [r.check as string, r]));
  for (const [name, r] of latest) if (r.error !== undefined) latest.delete(name);
  return latest;
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
  const advice = parsed.data;
  const latest = latestUsable(input.results);
  const failing = [...latest.values()].filter((r) => !r.ok).map((r) => r.check);

  switch (advice.kind) {
    case 'remediate': {
      let checked: ReturnType<typeof parseRemediation>;
      try {
        checked = parseRemediation(advice.action, advice.params);
      } catch {
        throw new RejectedAdvice(`catalog: bad parameters for ${advice.action}`);
      }
      if (input.actionsTaken.includes(checked.action)) {
        throw new RejectedAdvice(`consistency: ${checked.action} was already carried out`);
      }
      const missing = baselineChecks.filter((name) => !latest.has(name));
      if (missing.length > 0) {
        throw new RejectedAdvice(`consistency: a fix before the checks ${missing.join(', ')}`);
      }
      if (failing.length === 0) {
        throw new RejectedAdvice('consistency: a fix for a network whose checks all pass');
      }
      if (checked.action === 'switch_dns_fallback') {
        const dns = latest.get('dns') as Extract<CheckResult, { check: 'dns' }> | undefined;
        const reference = dns?.data.reference;
        if (!reference?.ok || reference.server !== checked.params.resolver) {
          throw new RejectedAdvice(
            'consistency: the fallback resolver is not the reference resolver that worked',
          );
        }
      }
      return { ...advice, action: checked.action, params: checked.params };
    }
    case 'more_checks':
      if (input.round >= input.maxRounds) {
        throw new RejectedAdvice('consistency: more checks in the last round');
      }
      return advice;
    case 'healthy':
      if (failing.length > 0) {
        throw new RejectedAdvice(`consistency: healthy while ${failing.join(', ')} fail`);
      }
      if (baselineChecks.some((name) => !latest.has(name))) {
        throw new RejectedAdvice('consistency: healthy before the baseline checks are in');
      }
      return advice;
    case 'escalate':
      return advice;
  }
}
