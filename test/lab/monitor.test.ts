import type { WorkflowHandle } from '@temporalio/client';
import type { MonitorState } from '../../contracts/monitor';
import type { CheckResult } from '../../contracts/diagnostics';
import { notificationWorkflowId } from '../../notifier/notify';
import { Case, Device } from '../../store/models';
import type { supportCase } from '../../workflows/supportCase';
import { approve, waitForStatus } from '../support/cases';
import { eventually, startTestStack, type TestStack } from '../support/stack';
import { bootAgent } from './cloudLink';
import { applyFault } from './faults';
import { loadScenarios, type Fault } from './scenario';
import { describeLab, failing } from './support';
import { buildLab, labMonitor, type Lab } from './topology';

// The real agent's own monitor in the lab: nobody opens a case. The box notices the
// real fault (the modem hangs, or the ISP drops the line) with its probes out of the
// office interface, reports it over its LTE link, and the case opens by itself on the
// agent channel; the advisor's fix is approved, or the case escalates, as in the
// lab's other whole cases; the office PC tells what the office gets; and once the
// network works again the box reports its recovery and the cloud raises it.

const scenarios = ['modem-hung', 'isp-outage'];

/** The outside trouble of an escalated scenario ends (the ISP restores the line). */
async function troubleOver(lab: Lab, fault: Fault): Promise<void> {
  if (fault.kind !== 'isp-outage') throw new Error(`Nothing in this test ends ${fault.kind}`);
  await lab.nft('isp', 'delete table inet zen_fault');
}

describeLab('the box’s own monitor in the network lab', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('lab-monitor');
  });
  afterAll(() => stack?.stop());

  const deviceId = () => stack.demo.device.deviceId;
  const storedState = async () => {
    const device = await Device.findOne({ deviceId: deviceId() }).lean();
    return device?.monitorState as MonitorState | undefined;
  };
  const notified = (key: string) =>
    stack.client.workflow
      .getHandle(notificationWorkflowId(key))
      .describe()
      .catch(() => undefined);

  for (const { name, scenario } of loadScenarios().filter((s) => scenarios.includes(s.name))) {
    const { status, category, action } = scenario.expectedEnd;

    it(`${name}: the box notices, its case opens by itself and ends ${status}, and the recovery is raised`, async () => {
      const lab = await buildLab(scenario.topology);
      let opened: WorkflowHandle<typeof supportCase> | undefined;
      try {
        lab.writeAgentConfig({ monitor: { ...labMonitor, enabled: true } });
        await lab.openCloud(stack.apiUrl);
        const booted = await bootAgent(lab, stack.demo.device);
        await eventually(async () => (await storedState())?.state === 'healthy', {
          what: 'the monitor’s first verdict: healthy',
          timeoutMs: 60_000,
        });
        const casesSince = async (at: Date) =>
          (await Case.find({ deviceId: deviceId() }).lean()).filter((c) => c.createdAt! >= at);
        // A working network opens nothing.
        expect(await casesSince(booted)).toEqual([]);

        const struck = new Date();
        for (const fault of scenario.faults) await applyFault(lab, fault);
        const created = await eventually(async () => (await casesSince(struck))[0], {
          what: 'the case the box opens',
          timeoutMs: 120_000,
        });
        console.log(
          `${name}: fault -> case opened by the box in ${(created.createdAt!.getTime() - struck.getTime()) / 1000} s`,
        );
        expect(created.channel).toBe('agent');
        const fault = (await storedState())!;
        expect(fault).toMatchObject({ state: 'fault' });
        expect(fault.failing).toEqual(expect.arrayContaining(['internet']));
        expect(fault.failing).not.toContain('gateway');
        // Reported over LTE: the words say the box is still online.
        const words = (created.reports as { words: string }[])[0]!.words;
        expect(words).toMatch(
          /^The Zen box noticed on its own that .*the internet stopped answering/,
        );
        expect(words).toMatch(/still online over its own mobile \(LTE\) connection/);
        await eventually(() => notified(`internet_down:${deviceId()}:${fault.since}`), {
          what: 'internet_down raised',
        });

        // What the office's computers get meanwhile.
        await lab.restartOfficePc();
        expect(await lab.officePc()).toMatchObject(scenario.officePcDuring ?? {});

        opened = stack.client.workflow.getHandle<typeof supportCase>(created.workflowId);
        if (action) {
          const waiting = await waitForStatus(opened, 'awaiting_approval', 150_000);
          expect(waiting.proposal?.action).toBe(action);
          expect((await approve(stack, created._id, waiting.proposal!.actionId)).status).toBe(200);
        }
        const final = await opened.result();
        console.log(
          `${name}: ended ${final.status}; failing at the end: ${failing(final.results as CheckResult[]).join(', ') || 'none'}`,
        );
        expect({ status: final.status, category: final.issueCategory }).toEqual({
          status,
          category,
        });
        expect(final.actionsTaken).toEqual(action ? [action] : []);
        await lab.restartOfficePc();
        expect(await lab.officePc()).toMatchObject(
          scenario.officePcAfter ?? { dns: true, internet: true, http: true },
        );

        // An escalated fault ends when the outside trouble does: the ISP restores the line.
        if (status !== 'resolved') {
          for (const f of scenario.faults) await troubleOver(lab, f);
        }
        const recovered = await eventually(
          async () => {
            const state = await storedState();
            return state?.state === 'healthy' && state.since > fault.since ? state : undefined;
          },
          { what: 'the recovery reported', timeoutMs: 120_000 },
        );
        console.log(
          `${name}: fault -> recovery reported in ${(Date.parse(recovered.since) - struck.getTime()) / 1000} s`,
        );
        const raised = await eventually(
          () => notified(`internet_recovered:${deviceId()}:${recovered.since}`),
          { what: 'internet_recovered raised' },
        );
        expect(raised.type).toBe('notifyPeople');
      } catch (err) {
        throw new Error(`${(err as Error).message}\n\nLab processes:\n${lab.logs()}`);
      } finally {
        await opened?.terminate('lab scenario over').catch(() => undefined);
        await lab.destroy();
      }
    }, 420_000);
  }
});
