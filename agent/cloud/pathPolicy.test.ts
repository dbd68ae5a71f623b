import { PathPolicy } from './pathPolicy';

const options = { mode: 'auto' as const, failoverAfterMs: 15_000, holdMs: 60_000 };

describe('the cloud path policy', () => {
  it('moves to LTE once wired has not reached the cloud for the failover time, and only when LTE is usable', () => {
    const policy = new PathPolicy(options, 0);
    policy.answered();
    policy.silent(1_000);
    expect(policy.decide(15_999, true)).toBeUndefined();
    expect(policy.decide(16_000, false)).toBeUndefined();
    expect(policy.decide(16_000, true)).toBe('lte');
    expect(policy.path).toBe('lte');
  });

  it('counts from the start when the cloud never answered', () => {
    const policy = new PathPolicy(options, 0);
    expect(policy.decide(15_000, true)).toBe('lte');
  });

  it('forgets a failure the moment the cloud answers again', () => {
    const policy = new PathPolicy(options, 0);
    policy.silent(0);
    policy.answered();
    policy.silent(10_000);
    expect(policy.decide(20_000, true)).toBeUndefined();
    expect(policy.decide(25_000, true)).toBe('lte');
  });

  it('goes back to wired only after wired answered every check for the hold time', () => {
    const policy = new PathPolicy(options, 0);
    expect(policy.decide(15_000, true)).toBe('lte');
    policy.answered();
    policy.wiredChecked(true, 20_000);
    policy.wiredChecked(false, 50_000); // one miss starts the streak again
    policy.wiredChecked(true, 65_000);
    expect(policy.decide(80_000, true)).toBeUndefined();
    policy.wiredChecked(true, 110_000);
    expect(policy.decide(124_999, true)).toBeUndefined();
    expect(policy.decide(125_000, true)).toBe('wired');
  });

  it('switches at most once per hold window on a flapping line', () => {
    const policy = new PathPolicy({ ...options, holdMs: 30_000 }, 0);
    policy.answered();
    const switches: number[] = [];
    // Wired dies for 20 s, comes back for 20 s, over and over; checks every 5 s.
    for (let t = 0; t < 600_000; t += 1_000) {
      const wiredUp = Math.floor(t / 20_000) % 2 === 1;
      const checked = t % 5_000 === 0;
      if (checked && policy.path === 'lte') policy.wiredChecked(wiredUp, t);
      else if (checked && wiredUp) policy.answered();
      else if (checked) policy.silent(t);
      if (policy.decide(t, true)) switches.push(t);
    }
    expect(switches.length).toBeGreaterThan(0);
    for (let i = 1; i < switches.length; i++) {
      expect(switches[i]! - switches[i - 1]!).toBeGreaterThanOrEqual(30_000);
    }
  });

  it('leaves a dead LTE link for wired at once', () => {
    const policy = new PathPolicy(options, 0);
    expect(policy.decide(15_000, true)).toBe('lte');
    expect(policy.decide(16_000, false)).toBe('wired');
  });

  it('never switches when the path is fixed', () => {
    for (const mode of ['wired', 'lte'] as const) {
      const policy = new PathPolicy({ ...options, mode }, 0);
      expect(policy.path).toBe(mode);
      policy.wiredChecked(mode === 'lte', 0);
      expect(policy.decide(1_000_000, mode === 'wired')).toBeUndefined();
    }
  });
});
