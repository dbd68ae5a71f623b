import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { startSimulatedAgent } from '../agent/simulatedAgent';
import { scenarioNames } from '../agent/simulator/scenarios';
import { baselineChecks } from '../contracts/checks';
import { jsonLog } from '../agent/log';

// One simulated Zen box of `npm start`'s demo site, in a process of its own: the
// whole agent over the real device protocol, with a simulated network behind it.
// In demo mode it also listens on a local control socket that only this machine
// reaches (the API's demo route): a new scenario there changes the network under the
// running box, which notices the fault with its basic checks and reports it, as a box
// watching its office network does.
//
// Environment: ZEN_API_URL, ZEN_DEVICE_TOKEN, ZEN_AGENT_JOURNAL (optional),
// DEMO_SCENARIO (default healthy), DEMO_CONTROL_SOCKET (optional: no control without it).

const SetScenarioRequest = z.object({ scenario: z.enum(scenarioNames) }).strict();

const Env = z.object({
  ZEN_API_URL: z.string().url(),
  ZEN_DEVICE_TOKEN: z.string().min(1),
  ZEN_AGENT_JOURNAL: z.string().min(1).optional(),
  DEMO_SCENARIO: z.enum(scenarioNames).default('healthy'),
  DEMO_CONTROL_SOCKET: z.string().min(1).optional(),
});

const env = Env.parse(process.env);
if (env.ZEN_AGENT_JOURNAL) mkdirSync(path.dirname(env.ZEN_AGENT_JOURNAL), { recursive: true });
let scenario: string = env.DEMO_SCENARIO;
const agent = startSimulatedAgent({
  apiUrl: env.ZEN_API_URL,
  token: env.ZEN_DEVICE_TOKEN,
  scenario,
  journalPath: env.ZEN_AGENT_JOURNAL,
  log: jsonLog,
  // The box's own monitor watches the simulated network: a demo fault is noticed by the box.
  monitor: {},
});

/** The box's basic checks, posted as a box that found a fault posts them: the API opens its case. */
async function reportWhatIsWrong(): Promise<{ analysis: string; requiresApproval: boolean }> {
  const result = await agent.executor.execute({
    commandId: `demo-watch-${Date.now()}`,
    caseId: 'watch',
    kind: 'diagnose',
    checks: baselineChecks,
  });
  if (!result.ok || result.kind !== 'diagnose') throw new Error('the basic checks did not run');
  const res = await fetch(`${env.ZEN_API_URL}/api/device/diagnostic`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${env.ZEN_DEVICE_TOKEN}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ diagnosticData: { results: result.results, sanitized: true } }),
  });
  if (!res.ok) throw new Error(`the API answered ${res.status} to the box's report`);
  return (await res.json()) as { analysis: string; requiresApproval: boolean };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 10_000) throw new Error('too long');
  }
  return JSON.parse(body);
}

function answer(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function control(req: IncomingMessage, res: ServerResponse) {
  if (req.url !== '/scenario') return answer(res, 404, { error: 'No such control' });
  if (req.method === 'GET') return answer(res, 200, { scenario });
  if (req.method !== 'PUT') return answer(res, 405, { error: 'GET or PUT' });
  const parsed = SetScenarioRequest.safeParse(await readJson(req).catch(() => undefined));
  if (!parsed.success) return answer(res, 400, { error: 'Give {"scenario": <a scenario name>}' });
  agent.setScenario(parsed.data.scenario);
  scenario = parsed.data.scenario;
  jsonLog(`scenario changed to ${scenario}`);
  if (scenario === 'healthy') return answer(res, 200, { scenario });
  try {
    const report = await reportWhatIsWrong();
    jsonLog(`reported a fault: ${report.analysis}`);
    answer(res, 200, { scenario, report });
  } catch (err) {
    answer(res, 502, { scenario, error: (err as Error).message });
  }
}

const socketPath = env.DEMO_CONTROL_SOCKET;
const server = socketPath
  ? createServer((req, res) => {
      control(req, res).catch((err: Error) => answer(res, 500, { error: err.message }));
    })
  : undefined;
if (server && socketPath) {
  mkdirSync(path.dirname(socketPath), { recursive: true });
  // A socket file left by a box that was killed would refuse the new listener.
  if (existsSync(socketPath)) unlinkSync(socketPath);
  server.listen(socketPath);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    agent.stop();
    if (!server) process.exit(0);
    // Closing the server removes its socket file.
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
