import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { startSimulatedAgent, type SimulatedAgent } from '../../agent/simulatedAgent';
import { closedStatuses, type CaseStatus } from '../../contracts/case';
import { caseStateQuery, type CaseState, type ManualStep } from '../../workflows/messages';
import type { supportCase } from '../../workflows/supportCase';
import { call, eventually, type TestStack } from './stack';

// Helpers for driving whole cases through the real stack.

export function connectDevice(stack: TestStack, scenario: string): SimulatedAgent {
  return startSimulatedAgent({
    apiUrl: stack.apiUrl,
    token: stack.demo.device.token,
    scenario,
    log: () => undefined,
  });
}

export async function openDemoCase(stack: TestStack, description = 'The internet is down') {
  const res = await call(`${stack.apiUrl}/api/cases`, stack.demo.customer.token, {
    body: { deviceId: stack.demo.device.deviceId, description },
  });
  if (res.status !== 201) throw new Error(`open failed: ${JSON.stringify(res)}`);
  const handle = stack.client.workflow.getHandle<typeof supportCase>(res.body.workflowId as string);
  return { caseId: res.body.caseId as string, handle };
}

/** The customer says the step on site they were given is done, as the portal's button does. */
export function sayStepDone(stack: TestStack, caseId: string, token = stack.demo.customer.token) {
  return call(`${stack.apiUrl}/api/cases/${caseId}/step-done`, token, { body: {} });
}

/** The step on site the case waits for, once it does; undefined when the case ends first. */
export async function customerStepAsked(
  handle: WorkflowHandle,
  timeoutMs = 150_000,
): Promise<ManualStep | undefined> {
  const state = await eventually(
    async () => {
      const now = await stateOf(handle).catch(() => undefined);
      if (!now) return undefined;
      if (now.status === 'awaiting_customer' || closedStatuses.includes(now.status)) return now;
      return undefined;
    },
    { timeoutMs, what: 'the case to ask the customer for a step or to end' },
  );
  return state.status === 'awaiting_customer' ? state.manualStep : undefined;
}

export async function stateOf(handle: WorkflowHandle): Promise<CaseState> {
  return handle.query(caseStateQuery);
}

export async function waitForStatus(
  handle: WorkflowHandle,
  status: CaseStatus,
  timeoutMs = 30_000,
): Promise<CaseState> {
  let last: CaseState | undefined;
  return eventually(
    async () => {
      // The case may not have started yet (a phone call opens it asynchronously).
      last = await stateOf(handle).catch(() => last);
      return last?.status === status ? last : undefined;
    },
    { timeoutMs, what: `case status ${status}` },
  ).catch((err: Error) => {
    // The last state says where the case got stuck.
    throw new Error(`${err.message}; last state: ${JSON.stringify(last?.timeline ?? last)}`);
  });
}

export async function approve(
  stack: TestStack,
  caseId: string,
  actionId: string,
  { approved = true, token = stack.demo.customer.token, note = 'go ahead' } = {},
) {
  return call(`${stack.apiUrl}/api/remediation/approve`, token, {
    body: { sessionId: caseId, actionId, approved, userNote: note },
  });
}

/**
 * With RECORD_HISTORIES=1, saves a finished case's event history as a replay
 * fixture (test/fixtures/histories). The replay tests keep every saved history
 * replaying against the current workflow code.
 */
export async function saveHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await handle.fetchHistory();
  const dir = path.resolve(__dirname, '..', 'fixtures', 'histories');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), historyToJSON(history));
}
