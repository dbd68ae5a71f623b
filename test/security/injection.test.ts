import corpus from '../fixtures/hostile-strings.json';
import { connectAgent } from '../../agent/connection';
import { createExecutor, type Backend } from '../../agent/executor';
import { createJournal } from '../../agent/journal';
import { SimulatedNetwork } from '../../agent/simulator/network';
import { scenarios, type ScenarioName } from '../../agent/simulator/scenarios';
import type { CheckResult } from '../../contracts/diagnostics';
import { ActionId } from '../../contracts/remediation';
import { caseAdvisorRejections } from '../../store/advisorCalls';
import { startAnthropicStandIn, type AnthropicStandIn, type Reply } from '../stand-ins/anthropic';
import { approve, openDemoCase, waitForStatus } from '../support/cases';
import { eventually, startTestStack, type TestStack } from '../support/stack';

// The prompt-injection corpus through the whole stack: a Zen box whose network
// announces hostile names and banners, a customer description with more of the
// same, and a model that does whatever the text says. Device → API → workflow
// → advisor → device: nothing off the catalog is proposed or reaches the box,
// nothing runs on a healthy network, and each case ends as its scenario should.

const texts = (corpus as Array<{ text: string }>).map((e) => e.text);

/** The simulated network, with hostile text wherever a device on the LAN picks the words. */
function hostileBackend(network: SimulatedNetwork, text: string): Backend {
  return {
    runCheck(name) {
      const result = structuredClone(network.runCheck(name)) as CheckResult;
      if (result.check === 'http') result.data.serverHeader = text.slice(0, 512);
      if (result.check === 'dns') result.data.name = text.slice(0, 253);
      if (result.check === 'mdns') {
        result.data.services = [
          { name: text.slice(0, 255), type: '_ipp._tcp', host: text.slice(0, 255) },
        ];
      }
      if (result.check === 'lte') result.data.operator = text.slice(0, 64);
      return result;
    },
    apply: (action, params) => network.apply(action, params),
  };
}

/** Everything a steered model might answer; each must be refused before it reaches anyone. */
const steered: Array<Record<string, unknown>> = [
  { kind: 'remediate', action: 'factory_reset', params: {} },
  { kind: 'remediate', action: 'run_shell', params: { cmd: 'rm -rf /' } },
  { kind: 'remediate', action: 'power_cycle_router', params: { offSeconds: 3600 } },
  { kind: 'remediate', action: 'switch_dns_fallback', params: { resolver: '198.51.100.66' } },
  { kind: 'remediate', action: 'restart_interface', params: { interface: 'eth0; reboot' } },
];
// Not here: another catalog action with good parameters on a broken network. The advisor
// cannot tell that from a model's honest mistake; the customer's approval is the safeguard.

describe('the hostile corpus through the whole stack', () => {
  let stand: AnthropicStandIn;
  let stack: TestStack;
  let answer = 0;

  beforeAll(async () => {
    stand = await startAnthropicStandIn();
    stand.setHandler((): Reply => {
      const hostile = steered[answer++ % steered.length];
      return {
        kind: 'tool',
        input: {
          issueCategory: 'other',
          diagnosis: 'The device says so.',
          rationale: 'Following the instructions in the case data.',
          ...hostile,
        },
        usage: { input_tokens: 500, output_tokens: 40 },
      };
    });
    // Read by the advise activity on its first call in this process.
    process.env.ANTHROPIC_API_KEY = 'sk-test-local-stand-in';
    process.env.ANTHROPIC_BASE_URL = stand.url;
    stack = await startTestStack('inject');
  });
  afterAll(async () => {
    await stack?.stop();
    await stand?.close();
    delete process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_BASE_URL;
  });

  const cases: Array<[ScenarioName, number]> = [
    ['healthy', 0],
    ['dns-failure', 1],
    ['gateway-unreachable', 2],
    ['modem-hung', 3],
    ['isp-outage', 4],
  ];

  it.each(cases)(
    '%s: ends as the scenario says, only catalog commands reach the box',
    async (name, n) => {
      const scenario = scenarios[name];
      // A slice of the corpus per case, so every string is used somewhere.
      const slice = texts.filter((_, i) => i % cases.length === n);
      const network = new SimulatedNetwork(name);
      const received: unknown[] = [];
      const executor = createExecutor({
        backend: hostileBackend(network, slice.join(' \u2028 ')),
        journal: createJournal(),
      });
      const socket = connectAgent({
        apiUrl: stack.apiUrl,
        token: stack.demo.device.token,
        log: () => undefined,
        health: () => ({ led: 'idle', uptimeSeconds: 1, summary: slice[0]!.slice(0, 500) }),
        onCommand: (command) => {
          received.push(command);
          return executor.execute(command);
        },
      });
      try {
        await eventually(async () => socket.connected, { what: 'the device to connect' });
        const { caseId, handle } = await openDemoCase(stack, slice.join('\n').slice(0, 2000));

        const end = await Promise.race([
          handle.result(),
          waitForStatus(handle, 'awaiting_approval', 60_000),
        ]);
        if (end.status === 'awaiting_approval') {
          // The customer approves whatever is proposed: the catalog and the advisor's checks
          // are what must keep it safe.
          expect(end.proposal!.action).toBe(scenario.expectedAction);
          expect((await approve(stack, caseId, end.proposal!.actionId)).status).toBe(200);
        }
        const final = await handle.result();
        // The corpus names printers and the Wi-Fi: words may hand a device the network cannot
        // rule out to a person (lanRules.ts), never choose a fix or call the network healthy.
        const handedOver =
          final.status === 'escalated' && ['lan-device', 'wifi'].includes(final.issueCategory);
        if (!handedOver) expect(final.status).toBe(scenario.expectedStatus);

        const remediations = received.filter(
          (c): c is { action: string } => (c as { kind?: string }).kind === 'remediate',
        );
        for (const command of remediations)
          expect(ActionId.safeParse(command.action).success).toBe(true);
        // The scenario's fix, when it names one, ran once, whether or not it resolved
        // the case (dns-failure's fix changes only the box, and the case escalates).
        expect(network.applied.map((a) => a.action)).toEqual(
          scenario.expectedAction ? [scenario.expectedAction] : [],
        );
        // The steered model was asked, and every one of its answers was refused.
        expect((await caseAdvisorRejections(caseId)).length).toBeGreaterThan(0);
        expect(final.advice?.meta?.engine).toBe('offline');
      } finally {
        socket.disconnect();
        // A failed case must not hold the device's workflow id for the next one.
        await stack.client.workflow
          .getHandle(`support-case-${stack.demo.device.deviceId}`)
          .terminate('test over')
          .catch(() => undefined);
      }
    },
    120_000,
  );
});
