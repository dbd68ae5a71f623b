import Anthropic from '@anthropic-ai/sdk';
import type { TokenUsage } from '../../contracts/advice';
import { SYSTEM_PROMPT, TOOL_NAME, adviceTool, userMessage, type SanitizedInput } from './prompt';

// One Messages API call per advice: the system prompt and the tool are marked for
// prompt caching, the tool is forced, and the SDK does not retry (a failed call
// falls back to the offline engine; Temporal's retry policy covers the activity).

export interface ClaudeSettings {
  apiKey: string;
  baseURL?: string;
  model: string;
  maxTokens: number;
  timeoutMs: number;
}

export interface ClaudeAnswer {
  /** The tool input exactly as the model gave it: not yet checked. */
  toolInput: unknown;
  usage: TokenUsage;
  stopReason: string | null;
}

/** Why Claude's answer could not be used. */
export class ClaudeFailure extends Error {
  constructor(
    readonly reason: string,
    readonly usage?: TokenUsage,
    /** Worth asking again later: rate limits, overload, server errors, timeouts. */
    readonly transient = false,
  ) {
    super(reason);
    this.name = 'ClaudeFailure';
  }
}

function isTransient(err: unknown): boolean {
  if (err instanceof Anthropic.APIConnectionError) return true; // includes timeouts
  if (err instanceof Anthropic.APIError) return err.status === 429 || (err.status ?? 0) >= 500;
  return false;
}

export function createClaudeClient(settings: ClaudeSettings): Anthropic {
  return new Anthropic({
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    timeout: settings.timeoutMs,
    maxRetries: 0,
  });
}

function usageOf(message: { usage?: Partial<Anthropic.Usage> | null }): TokenUsage {
  const u = message.usage ?? {};
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
  return {
    inputTokens: n(u.input_tokens),
    outputTokens: n(u.output_tokens),
    cacheReadInputTokens: n(u.cache_read_input_tokens),
    cacheCreationInputTokens: n(u.cache_creation_input_tokens),
  };
}

function describeError(err: unknown): string {
  if (err instanceof Anthropic.APIConnectionTimeoutError) return 'timeout: no answer in time';
  if (err instanceof Anthropic.APIConnectionError) return `connection: ${err.message}`;
  if (err instanceof Anthropic.APIError) {
    const type = (err.error as { error?: { type?: string } } | undefined)?.error?.type;
    const retryAfter = err.headers?.get?.('retry-after');
    return [
      `http ${err.status ?? '?'}`,
      type ? `(${type})` : '',
      retryAfter ? `retry-after ${retryAfter}s` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}

export async function askClaude(
  client: Anthropic,
  settings: ClaudeSettings,
  input: SanitizedInput,
): Promise<ClaudeAnswer> {
  let message: Anthropic.Message;
  try {
    message = await client.messages.create({
      model: settings.model,
      max_tokens: settings.maxTokens,
      system: [{ type: 'text', text: SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }],
      tools: [adviceTool],
      tool_choice: { type: 'tool', name: TOOL_NAME },
      messages: [{ role: 'user', content: userMessage(input) }],
    });
  } catch (err) {
    throw new ClaudeFailure(describeError(err), undefined, isTransient(err));
  }
  const usage = usageOf(message);
  const content: unknown[] = Array.isArray(message.content) ? message.content : [];
  const calls = content.filter(
    (block): block is Anthropic.ToolUseBlock =>
      !!block &&
      typeof block === 'object' &&
      (block as { type?: unknown }).type === 'tool_use' &&
      (block as { name?: unknown }).name === TOOL_NAME,
  );
  if (calls.length !== 1) {
    throw new ClaudeFailure(
      `malformed: expected one ${TOOL_NAME} call, got ${calls.length} (stop_reason ${message.stop_reason})`,
      usage,
    );
  }
  return { toolInput: calls[0]!.input, usage, stopReason: message.stop_reason };
}
