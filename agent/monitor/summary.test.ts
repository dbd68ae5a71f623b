import { IntervalSummary, percentile, probeStats } from './summary';

// An interval's summary: loss and latency percentiles per target, and what failed.

describe('the interval summary', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(10);
    expect(percentile(sorted, 95)).toBe(19);
    expect(percentile([7.25], 95)).toBe(7.3);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('counts loss over every probe of a target and leaves latency out when nothing answered', () => {
    expect(
      probeStats([
        { target: 'internet', sent: 2, answeredMs: [30, 10] },
        { target: 'internet', sent: 2, answeredMs: [20] },
      ]),
    ).toEqual({ sent: 4, lost: 1, p50Ms: 20, p95Ms: 30 });
    expect(probeStats([{ target: 'gateway', sent: 3, answeredMs: [] }])).toEqual({
      sent: 3,
      lost: 3,
    });
  });

  it('folds the rounds of an interval into one summary at its start minute', () => {
    const summary = new IntervalSummary(new Date('2026-12-06T07:41:37.250Z'));
    // A round where one internet target of three answered: the internet is not down.
    summary.add([
      { target: 'gateway', sent: 2, answeredMs: [0.5, 0.7] },
      { target: 'dns', sent: 1, answeredMs: [12] },
      { target: 'internet', sent: 1, answeredMs: [] },
      { target: 'internet', sent: 1, answeredMs: [] },
      { target: 'internet', sent: 1, answeredMs: [21] },
      { target: 'http', sent: 1, answeredMs: [] },
    ]);
    // A re-probe where the resolver did not answer either.
    summary.add([{ target: 'dns', sent: 1, answeredMs: [] }]);
    expect(summary.finish(41, 60, 'lte')).toEqual({
      seq: 41,
      start: '2026-12-06T07:41:00.000Z',
      seconds: 60,
      gateway: { sent: 2, lost: 0, p50Ms: 0.5, p95Ms: 0.7 },
      dns: { sent: 2, lost: 1, p50Ms: 12, p95Ms: 12 },
      internet: { sent: 3, lost: 2, p50Ms: 21, p95Ms: 21 },
      http: { sent: 1, lost: 1 },
      failed: ['http'],
      path: 'lte',
    });
  });
});
