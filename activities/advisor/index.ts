import { Advice, AdvisorInput } from '../../contracts/advice';
import { parseRemediation } from '../../contracts/remediation';
import { offlineAdvice } from './offline';

// The advisor activity. Whatever engine answers, the answer must fit the
// contract and the catalog before the workflow sees it.

export async function advise(input: AdvisorInput): Promise<Advice> {
  const advice = Advice.parse(offlineAdvice(AdvisorInput.parse(input)));
  if (advice.kind === 'remediate') parseRemediation(advice.action, advice.params);
  return advice;
}
