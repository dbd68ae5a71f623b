import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulatedAgent } from '../agent/simulatedAgent';
import { scenarioByName, scenarioNames, type ExpectedEnd } from '../agent/simulator/scenarios';
import { loadConfig } from '../config';
import { closedStatuses, type CaseStatus } from '../contracts/case';
import { fixDescriptions } from '../contracts/fixes';
import { borrowDemoRunBox } from './demoRunBox';
import { credentialsPath, type DemoCredentials } from './seed';

// `npm run demo -- --scenario <name> [--json]`: one whole case against the
// running stack, with a simulated Zen box in that fault scenario (the scenario's
// own demo box, removed again when the run ends), approved through the public API
// as the demo customer.

const { values } = parseArgs({
  options: {
    scenario: { type: 'string' },
    json: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '300' },
  },
});

const config = loadConfig();
const api = config.api.url;

interface LiveCase {
  id: string;
  workflowId: string;
  status: string;
  live?: {
    status: string;
    diagnosis?: string;
    instructions?: string;
    actionsTaken: string[];
    proposal?: { actionId: string; title: string; action: string };
    manualStep?: { title: string; awaitsWord?: boolean };
    timeline: { at: number; status: string; text: string }[];
    openedAt: number;
    closedAt?: number;
  };
}

/** How a case in this scenario should end, in words (a box-only fix does not resolve an office fault). */
function expectedEnd(scenario: ExpectedEnd): string {
  const action = scenario.expectedAction;
  if (!action) return `${scenario.expectedStatus} with no fix`;
  return scenario.expectedStatus === 'resolved'
    ? `resolved by ${action}`
    : `escalated after ${action}, which repairs only the ${fixDescriptions[action].repairs === 'box' ? 'Zen box' : 'office network'}`;
}

async function call<T>(path: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(`${api}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function main(): Promise<number> {
  if (!values.scenario) {
    console.error(`--scenario is required: one of ${scenarioNames.join(', ')}`);
    return 2;
  }
  const scenario = scenarioByName(values.scenario);
  let credentials: DemoCredentials;
  try {
    credentials = JSON.parse(readFileSync(credentialsPath(config.dataDir), 'utf8'));
  } catch {
    console.error(
      `No demo credentials in ${config.dataDir}: start the stack with npm start first.`,
    );
    return 2;
  }
  const token = credentials.customer.token;
  const say = (line: string) => (values.json ? undefined : console.log(line));
  say(`Scenario ${values.scenario}: ${scenario.description}`);
  say(`Expected: ${expectedEnd(scenario)}.`);

  const box = await borrowDemoRunBox({
    call,
    mongoUrl: config.mongo.url,
    credentials,
    scenario: values.scenario,
  });
  const deviceId = box.deviceId;
  const agent = startSimulatedAgent({
    apiUrl: api,
    token: box.deviceToken,
    scenario: values.scenario,
    log: () => undefined,
  });
  // Ctrl-C (or a signal) ends the run as its end does: the box goes from the customer's list.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      agent.stop();
      console.error('Stopped: closing the demo case and removing its box.');
      void box.release().finally(() => process.exit(130));
    });
  }
  try {
    await new Promise<void>((resolve) => agent.socket.once('connect', () => resolve()));
    const started = Date.now();
    const opened = await call<{ caseId: string; workflowId: string }>('/api/cases', token, {
      deviceId,
      // The customer's words when the scenario has them: the long-tail faults pass the basic checks.
      description: scenario.customerSays ?? `Demo: ${scenario.description}`,
    });
    say(`Case ${opened.caseId} (workflow ${opened.workflowId})`);

    const deadline = started + Number(values.timeout) * 1000;
    let printed = 0;
    let approved: string | undefined;
    let saidDone = false;
    let current: LiveCase | undefined;
    while (Date.now() < deadline) {
      current = await call<LiveCase>(`/api/cases/${opened.caseId}`, token);
      const live = current.live;
      for (const entry of live?.timeline.slice(printed) ?? []) {
        say(
          `  +${((entry.at - started) / 1000).toFixed(1)}s  ${entry.status.padEnd(17)} ${entry.text}`,
        );
      }
      printed = live?.timeline.length ?? printed;
      if (live?.proposal && approved !== live.proposal.actionId) {
        approved = live.proposal.actionId;
        const answer = await call<{ status: string; estimatedDuration: string }>(
          '/api/remediation/approve',
          token,
          {
            sessionId: opened.caseId,
            actionId: approved,
            approved: true,
            userNote: 'Demo approval',
          },
        );
        say(
          `  → approved "${live.proposal.title}" as the customer (${answer.status}, about ${answer.estimatedDuration})`,
        );
      }
      if (live?.status === 'awaiting_customer' && live.manualStep?.awaitsWord && !saidDone) {
        // Nobody is on site in a demo: the word comes without the step, so the case checks
        // again, still finds the fault, and a technician takes over.
        saidDone = true;
        await call(`/api/cases/${opened.caseId}/step-done`, token, {});
        say(
          `  → said "${live.manualStep.title}" is done, as a customer would, without being on site to do it`,
        );
      }
      // Done when the case document says so: the record is written after the workflow moves on.
      if (live?.closedAt && closedStatuses.includes(current.status as CaseStatus)) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const live = current?.live;
    if (!live?.closedAt || !closedStatuses.includes(current!.status as CaseStatus)) {
      console.error(
        `The case did not finish within ${values.timeout}s (last status ${live?.status}).`,
      );
      return 1;
    }
    const action = live.actionsTaken.at(-1) ?? null;
    const summary = {
      caseId: opened.caseId,
      workflowId: opened.workflowId,
      status: live.status,
      diagnosis: live.diagnosis ?? null,
      action,
      durationMs: live.closedAt - live.openedAt,
    };
    const asExpected =
      summary.status === scenario.expectedStatus && action === (scenario.expectedAction ?? null);
    say('');
    say(`Result: ${summary.status} after ${(summary.durationMs / 1000).toFixed(1)}s`);
    if (summary.diagnosis) say(`Diagnosis: ${summary.diagnosis}`);
    if (live.instructions) say(`For the customer: ${live.instructions}`);
    say(
      asExpected
        ? 'As expected for this scenario.'
        : `NOT as expected: wanted ${expectedEnd(scenario)}.`,
    );
    if (values.json) console.log(JSON.stringify(summary));
    return asExpected ? 0 : 1;
  } finally {
    agent.stop();
    await box
      .release()
      .catch((err: Error) =>
        console.error(`Could not remove the demo box ${deviceId}: ${err.message}`),
      );
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
