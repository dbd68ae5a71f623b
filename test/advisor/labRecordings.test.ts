import { failing } from '../lab/support';
import { labCases, readRecording, resultsOf } from '../lab/recorded';
import { loadScenarios } from '../lab/scenario';

// The lab's recordings (npm run record-lab, as root) are what the eval scores the
// advisor on without root: each must still agree with its scenario, or the eval
// would score the advisor on faults the lab no longer makes.

const everyScenario = loadScenarios();

describe('the recordings of the lab scenarios', () => {
  it('cover every scenario, so the eval can score them all', () => {
    expect(labCases().map((c) => c.name)).toEqual(everyScenario.map((s) => s.name));
  });

  it.each(everyScenario.map(({ name, scenario }) => [name, scenario] as const))(
    '%s: the recorded checks fail where the scenario says, and its fix repaired them',
    (name, scenario) => {
      const recording = readRecording(name)!;
      const checks = scenario.checks ?? recording.fault.results.map((r) => r.check);
      const unsteady: string[] = scenario.unsteady;
      const steady = (names: string[]) => names.filter((n) => !unsteady.includes(n));
      expect(steady(failing(resultsOf(recording.fault, checks)))).toEqual(
        steady([...scenario.expectedFailing].sort()),
      );
      if (scenario.officePcDuring) {
        expect(recording.fault.officePc).toMatchObject(scenario.officePcDuring);
      }
      expect(recording.fixed?.action).toBe(scenario.fix?.action);
      if (scenario.fix && recording.fixed) {
        const repairs = scenario.fix.repairs ?? checks;
        expect(failing(resultsOf(recording.fixed, repairs))).toEqual([]);
      }
    },
  );
});
