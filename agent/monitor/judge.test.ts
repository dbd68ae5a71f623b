import { Judge } from './judge';
import { DampingConfig } from './config';

// The judge: consecutive rounds confirm and clear a fault; flaps are damped.

const s = 1000;
const damping = DampingConfig.parse({
  penaltyPerFlap: 1000,
  halfLifeSeconds: 60,
  suppressAbove: 1500,
  reuseBelow: 750,
});

function judge(now = 0) {
  return new Judge({ confirmAfter: 3, clearAfter: 2, damping }, now);
}

/** Feeds rounds 10 s apart from `from`; returns the states reported as changes. */
function feed(j: Judge, rounds: ('pass' | 'fail')[], from: number) {
  return rounds.map(
    (r, i) => j.observe(r === 'fail' ? ['internet'] : [], from + i * 10 * s)?.state,
  );
}

describe('the monitor judge', () => {
  it('reports nothing until the rounds after start agree, then healthy', () => {
    const j = judge();
    expect(j.deciding).toBe(true);
    expect(feed(j, ['pass', 'fail', 'pass'], 0)).toEqual([undefined, undefined, undefined]);
    expect(j.state).toBeUndefined();
    expect(feed(j, ['pass'], 30 * s)).toEqual(['healthy']);
    expect(j.deciding).toBe(false);
  });

  it('confirms a fault only after three failing rounds in a row, and clears it after two passing', () => {
    const j = judge();
    feed(j, ['pass', 'pass'], 0);
    expect(feed(j, ['fail', 'fail', 'pass', 'fail', 'fail'], 20 * s)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(j.deciding).toBe(true);
    const confirmed = j.observe(['internet', 'dns'], 70 * s);
    expect(confirmed).toEqual({
      state: 'fault',
      failing: ['internet', 'dns'],
      since: new Date(70 * s).toISOString(),
      flaps: 1,
    });
    expect(j.deciding).toBe(false);
    expect(feed(j, ['pass', 'pass'], 80 * s)).toEqual([undefined, 'healthy']);
    expect(j.state).toMatchObject({ state: 'healthy', failing: [] });
  });

  it('holds a flapping line in fault once its penalty passes the threshold, and releases it after decay', () => {
    const j = judge();
    feed(j, ['pass', 'pass'], 0);
    // First fault and recovery: reported both ways (penalty 1000, under 1500).
    expect(feed(j, ['fail', 'fail', 'fail', 'pass', 'pass'], 20 * s)).toEqual([
      undefined,
      undefined,
      'fault',
      undefined,
      'healthy',
    ]);
    // A second fault within the half-life: penalty above 1500, reported, then held.
    expect(feed(j, ['fail', 'fail', 'fail'], 70 * s).at(-1)).toBe('fault');
    const since = j.state!.since;
    const recoveries = feed(j, ['pass', 'pass', 'pass', 'pass'], 100 * s);
    expect(recoveries).toEqual([undefined, undefined, undefined, undefined]);
    // A third flap while suppressed: no new state, one fault since the second.
    feed(j, ['fail', 'fail', 'fail', 'pass', 'pass'], 140 * s);
    expect(j.state).toMatchObject({ state: 'fault', since, flaps: 3 });
    // Quiet for long enough: the penalty decays under 750 and the line is released.
    expect(j.observe([], 190 * s)).toBeUndefined();
    const released = j.observe([], 400 * s);
    expect(released).toMatchObject({ state: 'healthy', flaps: 3 });
  });

  it('with the defaults, holds a short blip in fault for about a half-life, and a long outage not at all', () => {
    const j = new Judge({ confirmAfter: 3, clearAfter: 3, damping: DampingConfig.parse({}) }, 0);
    feed(j, ['pass', 'pass', 'pass'], 0);
    expect(feed(j, ['fail', 'fail', 'fail'], 30 * s).at(-1)).toBe('fault');
    // Back after 30 s: the recovery waits until the penalty has halved (120 s after the fault).
    expect(feed(j, ['pass', 'pass', 'pass', 'pass'], 60 * s)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(j.observe([], 171 * s)).toMatchObject({ state: 'healthy' });
    // A fault that lasts ten minutes is reported healthy as soon as it clears.
    feed(j, ['fail', 'fail', 'fail'], 1000 * s);
    feed(j, ['fail'], 1600 * s);
    expect(feed(j, ['pass', 'pass', 'pass'], 1610 * s).at(-1)).toBe('healthy');
  });

  it('reports a state kept from before a restart until the rounds decide', () => {
    const kept = { state: 'fault' as const, failing: ['internet' as const], since: 'x', flaps: 1 };
    const stillDown = new Judge({ confirmAfter: 3, clearAfter: 2, damping }, 0, kept);
    expect(stillDown.state).toEqual(kept);
    // Still down after the restart: no change to report, the outage keeps its start.
    expect(feed(stillDown, ['fail', 'fail', 'fail'], 0)).toEqual([undefined, undefined, undefined]);
    expect(stillDown.state).toMatchObject({ state: 'fault', since: 'x' });
    // Back while the box was restarting: the recovery is reported once the rounds agree.
    const back = new Judge({ confirmAfter: 3, clearAfter: 2, damping }, 0, kept);
    expect(feed(back, ['pass', 'pass'], 0)).toEqual([undefined, 'healthy']);
  });

  it('does not count the first verdict after a start as a flap', () => {
    const j = judge();
    feed(j, ['fail', 'fail', 'fail'], 0);
    expect(j.state).toMatchObject({ state: 'fault', flaps: 0 });
  });
});
