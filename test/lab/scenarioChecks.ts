import { checkNames, longTailChecks } from '../../contracts/checks';
import { type CheckName, type CheckResult } from '../../contracts/diagnostics';
import { applyFault } from './faults';
import { resultsOf, writeRecording, type LabRecording } from './recorded';
import { loadScenarios, type Scenario } from './scenario';
import { failing } from './support';
import { buildLab, type Lab } from './topology';

// The real agent inside the lab's Pi namespace, through the lab's scenarios:
// its checks find the faults the scenario made, and the scenario's fix, carried
// out by the agent, really repairs the network. With RECORD_LAB_FIXTURES=1
// (`npm run record-lab`) it also runs every check and asks the office PC, during
// the fault and after the fix, and keeps that as the scenario's recording
// (recorded.ts), which `npm run eval` scores the advisor on. Two test files
// share the scenarios (the basic faults, the long tail) so that they run side
// by side, each lab in namespaces of its own.

/** mDNS and LTE come from the box's peripherals, which the agent's command line does not start. */
const everyCheck = checkNames.filter((name) => name !== 'mdns' && name !== 'lte');
const recording = process.env.RECORD_LAB_FIXTURES === '1';

export async function runChecks(lab: Lab, checks: CheckName[]): Promise<CheckResult[]> {
  const reply = await lab.agentCli(['check', ...checks]);
  if (!reply.ok) throw new Error(`The agent refused the checks: ${JSON.stringify(reply)}`);
  return reply.results as CheckResult[];
}

/** Every check and the office PC, as they are now. */
async function measureAll(lab: Lab) {
  const results = await runChecks(lab, everyCheck);
  await lab.restartOfficePc();
  return { results, officePc: await lab.officePc() };
}

function withoutUnsteady(names: string[], unsteady: string[]) {
  return names.filter((name) => !unsteady.includes(name));
}

/** A scenario about the long tail: one of the long-tail checks must find its fault. */
export function aboutTheLongTail(scenario: Scenario): boolean {
  return scenario.expectedFailing.some((check) =>
    (longTailChecks as readonly string[]).includes(check),
  );
}

/** One test per scenario that `which` picks. */
export function testScenarios(which: (scenario: Scenario) => boolean): void {
  for (const { name, scenario } of loadScenarios().filter((s) => which(s.scenario))) {
    const checks = scenario.checks ?? everyCheck;

    it(`${name}: finds ${scenario.expectedFailing.join(', ') || 'nothing wrong'}${
      scenario.fix ? `, and ${scenario.fix.action} repairs it` : ''
    }`, async () => {
      const lab = await buildLab(scenario.topology);
      const seen: CheckResult[] = [];
      try {
        for (const fault of scenario.faults) await applyFault(lab, fault);
        let record: LabRecording | undefined;
        if (recording) {
          const fault = await measureAll(lab);
          record = { scenario: name, recordedAt: new Date().toISOString(), fault };
        }
        const found = record ? resultsOf(record.fault, checks) : await runChecks(lab, checks);
        seen.push(...found);
        expect(found.map((r) => r.check)).toEqual(checks);
        expect(withoutUnsteady(failing(found), scenario.unsteady)).toEqual(
          withoutUnsteady([...scenario.expectedFailing].sort(), scenario.unsteady),
        );
        if (!scenario.fix) {
          if (record) writeRecording(record);
          return;
        }

        const applied = await lab.agentCli([
          'apply',
          scenario.fix.action,
          JSON.stringify(scenario.fix.params),
        ]);
        expect(applied).toMatchObject({ ok: true, outcome: { executed: true } });
        const repairs = scenario.fix.repairs ?? checks;
        let fixed: LabRecording['fixed'];
        if (record) fixed = { action: scenario.fix.action, ...(await measureAll(lab)) };
        const after = fixed ? resultsOf(fixed, repairs) : await runChecks(lab, repairs);
        seen.push(...after);
        expect(failing(after)).toEqual([]);
        if (record) writeRecording({ ...record, fixed });
      } catch (err) {
        // What the agent saw and what the lab's processes said explain a failure.
        const results = seen.map((r) => JSON.stringify(r)).join('\n');
        throw new Error(
          `${(err as Error).message}\n\nResults:\n${results}\n\nLab processes:\n${lab.logs()}`,
        );
      } finally {
        await lab.destroy();
      }
    }, 240_000);
  }
}
