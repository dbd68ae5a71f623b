import type { WorkflowHandle } from '@temporalio/client';
import type { CheckResult } from '../../contracts/diagnostics';
import {
  approve,
  customerStepAsked,
  openDemoCase,
  sayStepDone,
  waitForStatus,
} from '../support/cases';
import { startTestStack, type TestStack } from '../support/stack';
import { bootAgent, connectedAfter, currentPath, lteBytes } from './cloudLink';
import { applyFault, undoFault } from './faults';
import { loadScenarios } from './scenario';
import { describeLab, expectCaseEnd, failing } from './support';
import { internet } from './addresses';
import { buildLab, labCloudLink } from './topology';

// Whole support cases with the real agent in the lab: the real API, Temporal
// dev server, FerretDB and offline advisor on the host's loopback, reached only
// at cloud.example.net in the lab's internet. The agent boots on a working
// network and connects over it; then the fault strikes, and its cloud link has
// to cross the broken network or move to LTE. It diagnoses the real fault,
// carries out the approved fix, and the case ends as the scenario says. The
// office PC, restarted during the fault and again at the end, tells what the
// office's network really gives its computers before and after the case.

describeLab('support cases with the real agent in the network lab', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // A step on site gets time for the lab's customer to take it.
    stack = await startTestStack('lab', { caseSettings: { customerStepWaitMs: 120_000 } });
  });
  afterAll(() => stack?.stop());

  for (const { name, scenario } of loadScenarios().filter((s) => s.scenario.endToEnd)) {
    const { category, action } = scenario.expectedEnd;
    // The customer's step, taken, fixes what the case could not.
    const status = scenario.customerStep?.takes ? 'resolved' : scenario.expectedEnd.status;

    it(`${name}: ends ${status}${action ? ` after ${action}` : ''}, the cloud link over ${scenario.cloudLink}`, async () => {
      const lab = await buildLab(scenario.topology);
      let opened: WorkflowHandle | undefined;
      try {
        await lab.openCloud(stack.apiUrl);
        // The box is connected before anything breaks (as on site); not the last scenario's agent.
        const booted = await bootAgent(lab, stack.demo.device);
        const bytesBefore = lteBytes(lab);
        const struck = new Date();
        for (const fault of scenario.faults) await applyFault(lab, fault);
        if (scenario.cloudLink === 'lte') {
          const over = await connectedAfter(lab, 'lte', booted, 90_000);
          if (scenario.faults.length > 0) {
            console.log(
              `${name}: wired failed -> connected over LTE in ${(over.getTime() - struck.getTime()) / 1000} s`,
            );
          }
        }

        // An office PC that restarts now gets what the fault leaves the office.
        await lab.restartOfficePc();
        const during = await lab.officePc();
        console.log(`${name}: the office PC during the fault: ${JSON.stringify(during)}`);
        expect(during).toMatchObject(scenario.officePcDuring ?? {});

        const { caseId, handle } = await openDemoCase(
          stack,
          scenario.customerSays ?? `Lab scenario ${name}`,
        );
        opened = handle;
        if (action) {
          const waiting = await waitForStatus(handle, 'awaiting_approval', 150_000);
          expect(waiting.proposal?.action).toBe(action);
          const decision = await approve(stack, caseId, waiting.proposal!.actionId);
          expect(decision.status).toBe(200);
        }
        const step = await customerStepAsked(handle);
        if (step && !scenario.customerStep) {
          throw new Error(
            `The case asks the customer "${step.title}": the scenario says whether the lab's customer takes it (customerStep)`,
          );
        }
        expect(step?.title).toBe(scenario.customerStep?.title);
        if (scenario.customerStep) {
          if (scenario.customerStep.takes) {
            for (const fault of scenario.faults) await undoFault(lab, fault);
          }
          expect((await sayStepDone(stack, caseId)).status).toBe(200);
        }
        const final = await handle.result();
        expectCaseEnd(name, final, { status, category, action });
        if (scenario.cloudLink === 'lte') {
          // The case's traffic went over LTE, and the agent counted it.
          expect(lteBytes(lab)).toBeGreaterThan(bytesBefore);
        }
        if (status === 'resolved') {
          console.log(`${name}: fault -> resolved in ${(Date.now() - struck.getTime()) / 1000} s`);
          // The agent's last round found everything working...
          expect(failing(final.results as CheckResult[])).toEqual([]);
          // ...the Pi really reaches the lab's internet again...
          await lab.in('pi', 'ping', ['-c', '3', '-i', '0.2', '-W', '1', internet.targets[0]!]);
          // ...and its link is back on the office network once that has held steady.
          if (scenario.cloudLink === 'lte') {
            await connectedAfter(lab, 'wired', struck, (labCloudLink.holdSeconds + 30) * 1000);
          }
          expect(currentPath(lab)).toBe('wired');
        }
        // And after the case: what a PC that restarts (or reconnects) gets now.
        await lab.restartOfficePc();
        const pc = await lab.officePc();
        expect(pc).toMatchObject(
          scenario.officePcAfter ?? { dns: true, internet: true, http: true },
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}\n\nLab processes:\n${lab.logs()}`);
      } finally {
        // A case left open would be joined by the next scenario's.
        await opened?.terminate('lab scenario over').catch(() => undefined);
        await lab.destroy();
      }
    }, 360_000);
  }
});
