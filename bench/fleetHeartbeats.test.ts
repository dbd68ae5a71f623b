import { fleetTargetsMet } from './fleetHeartbeats';

describe('the fleet-heartbeats verdict', () => {
  const met = {
    latencyMs: { n: 20_000, p50: 3, p99: 31, target: 50 },
    errors: 0,
    disconnects: 0,
    apiCrashes: [],
    requestedRate: 333.3,
    achievedRate: 332.9,
  };

  it('is met when every beat was acknowledged in time at the fleet rate', () => {
    expect(fleetTargetsMet(met)).toBe(true);
  });

  it('is missed at or over the p99, or with no answers at all', () => {
    expect(fleetTargetsMet({ ...met, latencyMs: { ...met.latencyMs, p99: 50 } })).toBe(false);
    const none = { n: 0, p50: undefined, p99: undefined, target: 50 };
    expect(fleetTargetsMet({ ...met, latencyMs: none })).toBe(false);
  });

  it('is missed when a beat failed, a box dropped, an API died or the rate fell short', () => {
    expect(fleetTargetsMet({ ...met, errors: 1 })).toBe(false);
    expect(fleetTargetsMet({ ...met, disconnects: 1 })).toBe(false);
    expect(fleetTargetsMet({ ...met, apiCrashes: ['exit 137'] })).toBe(false);
    expect(fleetTargetsMet({ ...met, achievedRate: 320 })).toBe(false);
  });
});
