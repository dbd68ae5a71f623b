import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Restartable } from '../../temporal-config/process';
import { approve, openDemoCase, waitForStatus } from '../support/cases';
import { eventually, startTestStack, type TestStack } from '../support/stack';
import { readApplied, startAgentFleet } from './agentFleet';

// The Zen box is killed after its fix reached the network and before it
// answered. The command comes again when it reconnects: its journal must say
// the fix already ran, so it never runs twice, and the case goes to a person.

describe('a Zen box killed in the middle of a fix', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-interrupted-'));
  let stack: TestStack;
  let box: Restartable | undefined;
  beforeAll(async () => {
    stack = await startTestStack('interrupted');
  });
  afterAll(async () => {
    await box?.stop();
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('does not run it again when it comes back, and the case escalates', async () => {
    const { deviceId, token } = stack.demo.device;
    box = await startAgentFleet({
      apiUrl: stack.apiUrl,
      dir,
      devices: [{ deviceId, token, scenario: 'dns-failure' }],
      // Long enough that the kill surely lands before the answer.
      fixMs: 30_000,
    });
    const { caseId, handle } = await openDemoCase(stack);
    const waiting = await waitForStatus(handle, 'awaiting_approval');
    expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);

    await eventually(async () => readApplied(dir, deviceId).length > 0, {
      what: 'the fix on the network',
    });
    await box.kill();
    await box.start();

    const final = await handle.result();
    expect(readApplied(dir, deviceId).map((a) => a.action)).toEqual(['switch_dns_fallback']);
    expect(final.status).toBe('escalated');
    expect(final.diagnosis).toMatch(/interrupted/i);
    expect(final.actionsTaken).toEqual([]);
  }, 90_000);
});
