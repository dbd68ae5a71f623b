import { caseTargetsMet } from './caseThroughput';

describe('the case-throughput verdict', () => {
  const spread = { n: 60, p50: 2000, p99: 3000 };
  const met = {
    cases: 20,
    rounds: 3,
    outcomes: { resolved: 60 },
    ratio: { value: 0.77, target: 0.7, rounds: [0.73, 0.79, 0.77] },
    stagesMs: {
      openToFirstDiagnostics: spread,
      approveCall: spread,
      approvalToFixStart: { n: 60, p50: 1, p99: 118, target: 300 },
      wholeCase: spread,
      baselineWholeCase: spread,
    },
    apiCrashes: [],
  };

  it('is met when every case of every round resolved and both targets are met', () => {
    expect(caseTargetsMet(met)).toBe(true);
  });

  it('is missed when a case of any round did not resolve', () => {
    expect(caseTargetsMet({ ...met, outcomes: { resolved: 59, escalated: 1 } })).toBe(false);
    // One round's worth resolved is not all of them.
    expect(caseTargetsMet({ ...met, outcomes: { resolved: 20 } })).toBe(false);
  });

  it('is missed below the ratio, at or over the p99, or after an API crash', () => {
    expect(caseTargetsMet({ ...met, ratio: { ...met.ratio, value: 0.69 } })).toBe(false);
    const slowFix = { ...met.stagesMs.approvalToFixStart, p99: 300 };
    expect(
      caseTargetsMet({ ...met, stagesMs: { ...met.stagesMs, approvalToFixStart: slowFix } }),
    ).toBe(false);
    expect(caseTargetsMet({ ...met, apiCrashes: ['SIGSEGV'] })).toBe(false);
  });
});
