import type { WorkflowHandle } from '@temporalio/client';
import type { CheckResult } from '../../contracts/diagnostics';
import { Device } from '../../store/models';
import { approve, openDemoCase, waitForStatus } from '../support/cases';
import { eventually, startTestStack, type TestStack } from '../support/stack';
import { applyFault } from './faults';
import { loadScenarios } from './scenario';
import { describeLab, failing } from './support';
import { buildLab, internet } from './topology';

// Whole support cases with the real agent in the lab: the real API, Temporal
// dev server, FerretDB and offline advisor on the host's loopback; the agent in
// the Pi namespace reaches them through the management tunnel, diagnoses the
// real fault, carries out the approved fix, and the case ends as the scenario says.

describeLab('support cases with the real agent in the network lab', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('lab');
  });
  afterAll(() => stack?.stop());

  for (const { name, scenario } of loadScenarios().filter((s) => s.scenario.endToEnd)) {
    const { status, category, action } = scenario.expectedEnd;

    it(`${name}: ends ${status}${action ? ` after ${action}` : ''}`, async () => {
      const lab = await buildLab({ dhcpPool: scenario.topology.dhcpPool });
      const deviceId = stack.demo.device.deviceId;
      let opened: WorkflowHandle | undefined;
      try {
        for (const fault of scenario.faults) await applyFault(lab, fault);
        lab.openTunnel(stack.apiUrl);
        const started = new Date();
        lab.startAgent(stack.demo.device.token);
        // The Pi is connected before the customer calls (as on site); not the last scenario's agent.
        await eventually(
          async () => {
            const device = await Device.findOne({ deviceId }).lean();
            return device?.status === 'online' && device.lastSeen! >= started;
          },
          { what: 'the agent to connect through the tunnel', timeoutMs: 30_000 },
        );

        const { caseId, handle } = await openDemoCase(stack, `Lab scenario ${name}`);
        opened = handle;
        if (action) {
          const waiting = await waitForStatus(handle, 'awaiting_approval', 150_000);
          expect(waiting.proposal?.action).toBe(action);
          const decision = await approve(stack, caseId, waiting.proposal!.actionId);
          expect(decision.status).toBe(200);
        }
        const final = await handle.result();
        expect({ status: final.status, category: final.issueCategory }).toEqual({
          status,
          category,
        });
        expect(final.actionsTaken).toEqual(action ? [action] : []);
        if (status === 'resolved') {
          // The agent's last round found everything working...
          expect(failing(final.results as CheckResult[])).toEqual([]);
          // ...and the Pi really reaches the lab's internet again.
          await lab.in('pi', 'ping', ['-c', '3', '-i', '0.2', '-W', '1', internet.targets[0]!]);
        }
      } catch (err) {
        throw new Error(`${(err as Error).message}\n\nLab processes:\n${lab.logs()}`);
      } finally {
        // A case left open would be joined by the next scenario's.
        await opened?.terminate('lab scenario over').catch(() => undefined);
        await lab.destroy();
      }
    }, 300_000);
  }
});
