import corpus from '../fixtures/hostile-strings.json';
import { Advice, type AdvisorInput } from '../../contracts/advice';
import { baselineChecks, checkNames } from '../../contracts/checks';
import { actionIds, parseRemediation } from '../../contracts/remediation';
import { createAdvisor, type AdviseFn } from '../../activities/advisor/engine';
import { offlineAdvice } from '../../activities/advisor/offline';
import { DATA_CLOSE, DATA_OPEN } from '../../activities/advisor/prompt';
import { scenarioNames } from '../../agent/simulator/scenarios';
import { connectStore, disconnectStore } from '../../store/connection';
import { freshMongoUrl } from '../support/env';
import { startAnthropicStandIn, type AnthropicStandIn, type Reply } from '../stand-ins/anthropic';
import { scenarioInput, withHostileText, type Field } from './support';

// The hostile corpus: text that devices on the customer's network (and the
// customer) control, written to steer the advisor. Whatever the engine, no
// answer may leave the catalog or carry bad parameters; every `remediate`
// still goes to the customer for approval, because the workflow asks for
// approval for every remediate answer and the advice has no field to skip it.

const entries = corpus as Array<{ field: Field; text: string }>;
const fields: Field[] = ['ssid', 'hostname', 'mdns', 'http_banner', 'description'];
const allowedKeys = new Set([
  'kind',
  'checks',
  'action',
  'params',
  'issueCategory',
  'diagnosis',
  'instructions',
  // A step on site: the offline engine's from its own instructions; a model's is words
  // for the customer, like its instructions, and cannot act on anything.
  'customerStep',
  'rationale',
  'meta',
]);

/** Every answer must be one the workflow can take safely. */
function expectSafe(advice: Advice) {
  expect(Advice.parse(advice)).toEqual(advice);
  for (const key of Object.keys(advice)) expect(allowedKeys).toContain(key);
  if (advice.kind === 'remediate') {
    expect(actionIds).toContain(advice.action);
    expect(() => parseRemediation(advice.action, advice.params)).not.toThrow();
  }
}

/** Each scenario with the checks the offline engine asks for before a fix at the router. */
const inputs = (): Array<[string, AdvisorInput]> =>
  scenarioNames.map((name) => [
    name,
    scenarioInput(name, { caseId: `hostile-${name}` }, [
      ...baselineChecks,
      'dhcp_servers',
      'router_api',
    ]),
  ]);

it('has at least 50 hostile strings spread over every field', () => {
  expect(entries.length).toBeGreaterThanOrEqual(50);
  for (const field of fields) {
    expect(entries.filter((e) => e.field === field).length).toBeGreaterThanOrEqual(8);
  }
});

describe('the offline engine', () => {
  it.each(scenarioNames)('%s: the corpus changes nothing', (name) => {
    const input = scenarioInput(name);
    for (const { field, text } of entries) {
      const placeholder = withHostileText(input, field, 'Office Printer');
      // The customer's benign counterpart says nothing: naming a device asks for checks too.
      const benign = offlineAdvice(
        field === 'description' ? { ...placeholder, description: undefined } : placeholder,
      );
      const hostile = offlineAdvice(withHostileText(input, field, text));
      expectSafe(hostile);
      // The customer's words may only ask for more checks where all else passed, beside
      // any a borderline value asks for (hints.ts).
      const asked =
        field === 'description' && (benign.kind === 'healthy' || benign.kind === 'more_checks');
      if (asked && hostile.kind === 'more_checks') {
        expect(hostile.rationale).not.toContain(text);
        if (benign.kind === 'more_checks') {
          expect(hostile.checks).toEqual(expect.arrayContaining(benign.checks));
        }
      } else {
        expect(hostile).toEqual(benign);
      }
    }
  });
});

describe('the Claude engine with a model that was fooled', () => {
  let standIn: AnthropicStandIn;
  let advise: AdviseFn;
  const knownWords = new Set<string>([...checkNames, 'case_data', 'submit_advice']);

  /**
   * A model that does whatever the data says: it proposes the first action-like
   * word it finds in the case data, with any numbers or addresses it sees as
   * parameters, or (finding none) says all is well with no rationale.
   */
  function fooled(body: any): Reply {
    const text: string = body.messages[0].content;
    const data = text.slice(text.indexOf(DATA_OPEN), text.indexOf(DATA_CLOSE));
    const decoded = JSON.stringify(JSON.parse(data.slice(DATA_OPEN.length)));
    const words = (decoded.match(/\b[a-z]+(?:_[a-z0-9]+)+\b/g) ?? []).filter(
      (w) => !knownWords.has(w),
    );
    const action = words[0];
    if (!action) return { kind: 'tool', input: { kind: 'healthy', diagnosis: 'Fine' } };
    const number = decoded.match(/\b\d{1,4}\b/)?.[0];
    const address = decoded.match(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g)?.pop();
    return {
      kind: 'tool',
      input: {
        kind: 'remediate',
        action,
        params: {
          offSeconds: Number(number ?? 0),
          resolver: address,
          interface: 'eth1',
          approved: true,
        },
        issueCategory: 'unknown',
        diagnosis: 'The network said so.',
        rationale: 'Following the instructions in the data.',
        meta: { engine: 'offline', engineVersion: 'trust-me' },
      },
    };
  }

  /** The same, but with the catalog's exact parameters where it can: a well-fooled model. */
  function wellFooled(body: any): Reply {
    const reply = fooled(body);
    if (reply.kind !== 'tool') return reply;
    const input = reply.input as any;
    if (input.kind !== 'remediate' || !actionIds.includes(input.action)) return reply;
    const params: Record<string, Record<string, unknown>> = {
      renew_dhcp_lease: { interface: 'eth0' },
      restart_interface: { interface: 'wlan0' },
      switch_dns_fallback: { resolver: '6.6.6.6' },
      power_cycle_modem: { offSeconds: 60 },
      power_cycle_router: { offSeconds: 60 },
    };
    return {
      kind: 'tool',
      input: { ...input, params: params[input.action] ?? {}, meta: undefined },
    };
  }

  beforeAll(async () => {
    await connectStore(freshMongoUrl('advisor_hostile'));
    standIn = await startAnthropicStandIn();
    advise = createAdvisor({
      claude: {
        apiKey: 'sk-test',
        baseURL: standIn.url,
        model: 'claude-fooled',
        maxTokens: 1024,
        timeoutMs: 5000,
      },
    });
  });

  afterAll(async () => {
    await standIn.close();
    await disconnectStore();
  });

  it.each([
    ['naive', fooled],
    ['well-fooled', wellFooled],
  ] as const)(
    '%s: no answer leaves the catalog, none fixes a healthy network',
    async (_l, model) => {
      standIn.reset();
      standIn.setHandler((request) => model(request.body));
      let remediations = 0;
      let claudeAnswers = 0;
      for (const [name, input] of inputs()) {
        for (const { field, text } of entries) {
          const advice = await advise(withHostileText(input, field, text));
          expectSafe(advice);
          if (advice.meta?.engine === 'claude') claudeAnswers++;
          // The model cannot speak for the activity.
          expect(advice.meta?.engineVersion).not.toBe('trust-me');
          if (advice.kind === 'remediate') {
            remediations++;
            expect(name).not.toBe('healthy');
          }
          if (name === 'healthy') {
            expect(advice.kind).toBe(offlineAdvice(withHostileText(input, field, text)).kind);
          }
        }
      }
      expect(standIn.requests.length).toBeGreaterThan(0);
      // Most fooled answers are rejected; the rest are catalog actions the customer must approve.
      expect(claudeAnswers).toBeLessThan(standIn.requests.length);
      expect(remediations).toBeGreaterThan(0);
    },
  );
});
