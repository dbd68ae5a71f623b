import { ApplicationFailure, Context } from '@temporalio/activity';
import type Anthropic from '@anthropic-ai/sdk';
import { Advice, AdvisorInput, type AdviceMeta, type TokenUsage } from '../../contracts/advice';
import { parseRemediation } from '../../contracts/remediation';
import { cachedAdvice, recordRejection, recordUsage, storeAdvice } from './cache';
import { ClaudeFailure, askClaude, createClaudeClient, type ClaudeSettings } from './claude';
import { unjustified } from './guard';
import { offlineAdvice } from './offline';
import { PROMPT_VERSION, cacheKey, sanitizeInput } from './prompt';
import { RejectedAdvice, validateModelAdvice } from './validate';

// One advisor, two engines. Claude answers when a key is configured; the offline
// expert engine answers otherwise, and whenever Claude fails (HTTP errors, rate
// limits, timeouts) or answers outside the contract. Either way the answer is
// checked against the contract and the catalog before the workflow sees it.

export const OFFLINE_ENGINE_VERSION = 'offline-v3';

/** Activity attempts at Claude before a transient failure falls back to the offline engine. */
export const CLAUDE_ATTEMPTS = 3;

/** The activity's attempt number; outside an activity (eval, unit tests) there is no retry. */
function activityAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return CLAUDE_ATTEMPTS;
  }
}

export interface AdvisorOptions {
  /** Claude's settings; without them the offline engine answers. */
  claude?: ClaudeSettings;
  /** A ready client (tests); made from the settings otherwise. */
  client?: Anthropic;
}

export type AdviseFn = (input: AdvisorInput) => Promise<Advice>;

function warn(message: string, attrs: Record<string, unknown>): void {
  try {
    Context.current().log.warn(message, attrs);
  } catch {
    // Outside an activity (eval script, unit tests): the reason is in the advice's meta.
  }
}

/** Best effort: bookkeeping must never cost the case its advice. */
async function quietly(what: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (err) {
    warn(`advisor: ${what} failed`, { error: err instanceof Error ? err.message : String(err) });
  }
}

/**
 * The offline engine through the same guard as Claude: should its rules ever
 * give an answer the measurements do not justify, a person takes over instead.
 */
export function guardedOffline(input: AdvisorInput): Advice {
  const advice = offlineAdvice(input);
  const reason = unjustified(advice, input);
  if (!reason) return advice;
  return {
    kind: 'escalate',
    issueCategory: 'unknown',
    diagnosis: 'The automatic checks found something their rules cannot settle safely.',
    instructions: 'A technician will look at the results and contact you.',
    rationale: `The offline rules' answer (${advice.kind}) was held back: ${reason}.`,
  };
}

/** The last gate, whatever answered. */
function checked(advice: Advice): Advice {
  const parsed = Advice.parse(advice);
  if (parsed.kind === 'remediate') parseRemediation(parsed.action, parsed.params);
  return parsed;
}

export function createAdvisor(options: AdvisorOptions = {}): AdviseFn {
  const settings = options.claude;
  const client = settings ? (options.client ?? createClaudeClient(settings)) : undefined;

  function offline(input: AdvisorInput, extra: Partial<AdviceMeta> = {}): Advice {
    const meta: AdviceMeta = { engine: 'offline', engineVersion: OFFLINE_ENGINE_VERSION, ...extra };
    return checked({ ...guardedOffline(input), meta });
  }

  return async function advise(raw: AdvisorInput): Promise<Advice> {
    const input = AdvisorInput.parse(raw);
    if (!settings || !client) return offline(input);

    const engineVersion = `claude:${settings.model}:${PROMPT_VERSION}`;
    const sanitized = sanitizeInput(input);
    const key = cacheKey(engineVersion, sanitized);

    const fallback = async (reason: string, usage?: TokenUsage): Promise<Advice> => {
      warn('advisor: Claude not used, the offline engine answers', { reason, engineVersion });
      await quietly('recording the rejection', () =>
        recordRejection(input.caseId, { round: input.round, engineVersion, reason }),
      );
      return offline(input, { fallbackReason: reason, ...(usage ? { usage } : {}) });
    };

    let hit: Advice | undefined;
    await quietly('the cache lookup', async () => {
      hit = await cachedAdvice(key);
    });
    if (hit) {
      try {
        const advice = validateModelAdvice(hit, input);
        return checked({ ...advice, meta: { engine: 'claude', engineVersion, cached: true } });
      } catch {
        // A stored answer that no longer passes is ignored: ask again.
      }
    }

    let answer;
    try {
      answer = await askClaude(client, settings, sanitized);
    } catch (err) {
      if (err instanceof ClaudeFailure) {
        if (err.usage)
          await quietly('recording usage', () =>
            recordUsage(input.caseId, { round: input.round, engineVersion, usage: err.usage! }),
          );
        // Rate limits and outages: Temporal retries the activity with backoff a few
        // times before the offline engine takes over.
        if (err.transient && activityAttempt() < CLAUDE_ATTEMPTS) {
          throw ApplicationFailure.retryable(
            `Claude unavailable: ${err.reason}`,
            'ClaudeUnavailable',
          );
        }
        return fallback(err.reason, err.usage);
      }
      throw err;
    }
    const { usage } = answer;
    await quietly('recording usage', () =>
      recordUsage(input.caseId, { round: input.round, engineVersion, usage }),
    );

    let advice: Advice;
    try {
      advice = validateModelAdvice(answer.toolInput, input);
    } catch (err) {
      if (err instanceof RejectedAdvice) return fallback(`rejected: ${err.reason}`, usage);
      throw err;
    }
    await quietly('storing the answer', () => storeAdvice(key, engineVersion, advice, usage));
    return checked({ ...advice, meta: { engine: 'claude', engineVersion, usage } });
  };
}
