import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { EvalCase, NetworkUnderTest } from '../../activities/advisor/evaluate';
import { SimulatedNetwork } from '../../agent/simulator/network';
import { CheckName, CheckResult } from '../../contracts/diagnostics';
import { ActionId } from '../../contracts/remediation';
import { loadScenarios, type Scenario } from './scenario';

// What the real agent measured in a lab scenario, kept as a fixture, so the
// advisor can be scored on real faults without root (`npm run eval`). The lab's
// diagnostics test writes them when RECORD_LAB_FIXTURES=1 (`npm run record-lab`)
// and otherwise checks that each still agrees with its scenario.

const OfficePc = z.object({ dns: z.boolean(), internet: z.boolean(), http: z.boolean() }).strict();
export type RecordedOfficePc = z.infer<typeof OfficePc>;

const Measured = z
  .object({
    /** Every check the agent has, as its `check` command answered in the lab's Pi. */
    results: z.array(CheckResult),
    /** What the office PC got, restarted at that moment. */
    officePc: OfficePc,
  })
  .strict();
export type Measured = z.infer<typeof Measured>;

export const LabRecording = z
  .object({
    scenario: z.string(),
    recordedAt: z.iso.datetime(),
    /** While the fault lasts. */
    fault: Measured,
    /** After the scenario's fix, carried out by the agent. */
    fixed: Measured.extend({ action: ActionId }).optional(),
  })
  .strict();
export type LabRecording = z.infer<typeof LabRecording>;

export const recordingsDir = path.join(__dirname, '..', 'fixtures', 'lab-checks');

const fileOf = (scenario: string) => path.join(recordingsDir, `${scenario}.json`);

export function readRecording(scenario: string): LabRecording | undefined {
  const file = fileOf(scenario);
  if (!existsSync(file)) return undefined;
  const parsed = LabRecording.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`lab-checks/${scenario}.json: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export function writeRecording(recording: LabRecording): void {
  writeFileSync(fileOf(recording.scenario), `${JSON.stringify(recording, null, 2)}\n`);
}

/** The results of these checks, in this order (those recorded). */
export function resultsOf(measured: Measured, checks: readonly CheckName[]): CheckResult[] {
  return checks.flatMap((check) => measured.results.filter((r) => r.check === check));
}

/**
 * A scenario's recording as a network to score the advisor on: the fault as the
 * agent measured it, until a fix the lab carried out for the same faults is
 * (this scenario's or another's, such as a lost lease renewed or the interface
 * restarted); then what it measured after that fix. A fix the lab never carried
 * out for these faults is not known to help, so nothing changes. A check the lab
 * did not run (mDNS, LTE: the box's peripherals) comes back as not measured,
 * which the advisor ignores.
 */
export function recordedNetwork(
  recording: LabRecording,
  sameFaults: readonly LabRecording[] = [recording],
): NetworkUnderTest {
  let now: Measured = recording.fault;
  return {
    runCheck(name) {
      const found = now.results.find((r) => r.check === name);
      if (found) return found;
      // A result needs data of its check's shape; `error` makes the advisor skip it.
      const shape = new SimulatedNetwork('healthy').runCheck(name);
      return { ...shape, ok: false, error: `${name} is not measured in the lab` };
    },
    apply(action) {
      const fixed = [recording, ...sameFaults].find((r) => r.fixed?.action === action)?.fixed;
      if (fixed) now = fixed;
    },
    officeWorks: () => Object.values(now.officePc).every(Boolean),
  };
}

function labCase(
  name: string,
  scenario: Scenario,
  recording: LabRecording,
  sameFaults: LabRecording[],
): EvalCase {
  const { status, category, action } = scenario.expectedEnd;
  return {
    name,
    source: 'lab',
    expected: { category, action: action ?? null, escalated: status === 'escalated' },
    ...(scenario.customerSays ? { customerSays: scenario.customerSays } : {}),
    network: () => recordedNetwork(recording, sameFaults),
  };
}

/** Every lab scenario with its recording; a scenario without one is an error that names it. */
export function labCases(): EvalCase[] {
  const all = loadScenarios().map(({ name, scenario }) => {
    const recording = readRecording(name);
    if (!recording) {
      throw new Error(
        `The lab scenario ${name} has no recording: run npm run record-lab as root (test/lab/README.md).`,
      );
    }
    return { name, scenario, recording };
  });
  const faultsOf = (scenario: Scenario) =>
    JSON.stringify([scenario.faults, scenario.topology, scenario.customerSays]);
  return all.map(({ name, scenario, recording }) =>
    labCase(
      name,
      scenario,
      recording,
      all
        .filter((other) => faultsOf(other.scenario) === faultsOf(scenario))
        .map((o) => o.recording),
    ),
  );
}
