import type { Advice, AdvisorInput } from '../../contracts/advice';
import { loadConfig } from '../../config';
import { createAdvisor, type AdviseFn } from './engine';

// The advisor activity. Claude answers when ANTHROPIC_API_KEY is set, the offline
// expert engine otherwise and whenever Claude's answer cannot be used; whatever
// engine answers, the answer must fit the contract and the catalog before the
// workflow sees it (see engine.ts and validate.ts).

let advisor: AdviseFn | undefined;

export async function advise(input: AdvisorInput): Promise<Advice> {
  advisor ??= createAdvisor({ claude: loadConfig().advisor.anthropic });
  return advisor(input);
}

export { createAdvisor } from './engine';
