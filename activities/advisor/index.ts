import type { Advice, AdvisorInput } from '../../contracts/advice';
import { loadConfig } from '../../config';
import { createAdvisor, type AdviseFn } from './engine';
import { open } from '../../privacy/seal';

// The advisor activity. Claude answers when ANTHROPIC_API_KEY is set, the offline
// expert engine otherwise and whenever Claude's answer cannot be used; whatever
// engine answers, the answer must fit the contract and the catalog before the
// workflow sees it (see engine.ts and validate.ts).

let advisor: AdviseFn | undefined;

export async function advise(input: AdvisorInput): Promise<Advice> {
  advisor ??= createAdvisor({ claude: loadConfig().advisor.anthropic });
  // The workflow carries the reporter's words sealed; the engine's sanitizer sees them open
  // (and erased words as nothing), and the advisor still never sees personal values.
  const opened = input.description === undefined ? undefined : await open(input.description);
  const description = opened && !opened.erased ? opened.text : undefined;
  return advisor({ ...input, description });
}

export { createAdvisor } from './engine';
