import { caseTokenUsage } from '../../store/advisorCalls';
import {
  startAnthropicStandIn,
  type AnthropicStandIn,
  type SeenRequest,
} from '../stand-ins/anthropic';
import { approve, connectDevice, openDemoCase, waitForStatus } from '../support/cases';
import { startTestStack, type TestStack } from '../support/stack';

// Claude inside a real case: the worker's advise activity talks to the Messages
// API stand-in through the SDK; transient failures are retried by Temporal.

function userText(request: SeenRequest): string {
  const messages = (request.body as { messages: { content: string }[] }).messages;
  return messages.map((m) => m.content).join('\n');
}

/** A model that proposes the fallback resolver, then calls the box's passing checks healthy. */
function dnsModel(request: SeenRequest) {
  const fixed = /actionsTaken[^\]]*switch_dns_fallback/.test(userText(request));
  return {
    kind: 'tool' as const,
    input: fixed
      ? { kind: 'healthy', diagnosis: 'Names resolve again.', rationale: 'Every check passes.' }
      : {
          kind: 'remediate',
          action: 'switch_dns_fallback',
          params: { resolver: '203.0.113.53' },
          issueCategory: 'dns',
          diagnosis: 'The router no longer answers name lookups.',
          rationale: 'The configured resolver fails while the reference resolver answers.',
        },
    usage: { input_tokens: 900, output_tokens: 80 },
  };
}

describe('Claude as the advisor of a running case', () => {
  let stand: AnthropicStandIn;
  let stack: TestStack;
  beforeAll(async () => {
    stand = await startAnthropicStandIn();
    // Read by the advise activity on its first call in this process.
    process.env.ANTHROPIC_API_KEY = 'sk-test-local-stand-in';
    process.env.ANTHROPIC_BASE_URL = stand.url;
    stack = await startTestStack('advisor_wf');
  });
  afterAll(async () => {
    await stack.stop();
    await stand.close();
    delete process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_BASE_URL;
  });

  it('rides out a rate limit and an overload through activity retries, then uses the answer', async () => {
    stand.reset();
    stand.reply(
      { kind: 'error', status: 429, type: 'rate_limit_error', headers: { 'retry-after': '1' } },
      { kind: 'error', status: 529, type: 'overloaded_error' },
    );
    stand.setHandler(dnsModel);
    const device = connectDevice(stack, 'dns-failure');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval', 40_000);
      expect(waiting.advice?.meta).toMatchObject({ engine: 'claude' });
      expect(waiting.advice?.meta?.fallbackReason).toBeUndefined();
      expect(stand.requests.length).toBe(3);
      await approve(stack, caseId, waiting.proposal!.actionId);
      const final = await handle.result();
      // The box's fallback fixed the box alone: Claude's "healthy" is held back by the guard,
      // the office's DHCP is measured, its resolver is still silent, and the router's fix
      // goes to the customer.
      expect(final.status).toBe('escalated');
      expect(final.results.map((r) => r.check)).toContain('dhcp_servers');
      expect(final.advice?.meta?.fallbackReason).toMatch(/healthy while dhcp_servers fail/);
      expect(device.network.applied.map((a) => a.action)).toEqual(['switch_dns_fallback']);
      // Every answer Claude gave is counted (900 in, 80 out each); the rate limit and the
      // overload gave none.
      const answers = stand.requests.length - 2;
      expect(answers).toBeGreaterThanOrEqual(3);
      expect(await caseTokenUsage(caseId)).toMatchObject({
        inputTokens: 900 * answers,
        outputTokens: 80 * answers,
      });
    } finally {
      device.stop();
    }
  }, 90_000);

  it('falls back to the offline engine when Claude stays down', async () => {
    stand.reset();
    stand.setHandler(() => ({ kind: 'error', status: 500, type: 'api_error' }));
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval', 60_000);
      expect(waiting.proposal!.action).toBe('power_cycle_router');
      expect(waiting.advice?.meta).toMatchObject({ engine: 'offline' });
      expect(waiting.advice?.meta?.fallbackReason).toContain('500');
      // Three attempts by Temporal for each answer (the checks asked for first, then the
      // fix), no more.
      expect(waiting.round).toBe(2);
      expect(stand.requests.length).toBe(3 * waiting.round);
      await approve(stack, caseId, waiting.proposal!.actionId, { approved: false });
      await handle.result();
    } finally {
      device.stop();
    }
  }, 90_000);
});
