import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLteMeter } from './lteMeter';

describe('the LTE data meter', () => {
  function setup(budgetBytes?: number) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-meter-'));
    const stats = path.join(dir, 'statistics');
    mkdirSync(stats);
    const counters = (rx: number, tx: number) => {
      writeFileSync(path.join(stats, 'rx_bytes'), `${rx}\n`);
      writeFileSync(path.join(stats, 'tx_bytes'), `${tx}\n`);
    };
    const meter = () =>
      createLteMeter({
        iface: 'wwan0',
        stateDir: dir,
        statisticsDir: stats,
        budgetBytes,
        whenUsed: 'minimal',
        log: () => undefined,
      });
    return { counters, meter };
  }

  it('adds what the counters grew by, both ways, and keeps it across restarts', () => {
    const { counters, meter } = setup();
    counters(1000, 500);
    const first = meter();
    expect(first.sample(new Date('2026-12-05T10:00:00Z')).bytes).toBe(0);
    counters(1600, 900);
    expect(first.sample(new Date('2026-12-05T10:01:00Z')).bytes).toBe(1000);
    // The agent restarts; the interface kept counting.
    counters(1700, 1000);
    expect(meter().sample(new Date('2026-12-05T10:02:00Z')).bytes).toBe(1200);
  });

  it('counts a counter that started again (the interface came back) from zero', () => {
    const { counters, meter } = setup();
    const m = meter();
    counters(5000, 5000);
    m.sample(new Date('2026-12-05T10:00:00Z'));
    counters(300, 200);
    expect(m.sample(new Date('2026-12-05T10:01:00Z')).bytes).toBe(500);
  });

  it('starts each month at zero and says when the budget is used', () => {
    const { counters, meter } = setup(1000);
    const m = meter();
    counters(0, 0);
    m.sample(new Date('2026-11-30T23:59:00Z'));
    counters(600, 500);
    expect(m.sample(new Date('2026-11-30T23:59:30Z'))).toEqual({
      month: '2026-11',
      bytes: 1100,
      budgetBytes: 1000,
      exhausted: true,
      whenUsed: 'minimal',
    });
    counters(700, 500);
    expect(m.sample(new Date('2026-12-01T00:00:10Z'))).toMatchObject({
      month: '2026-12',
      bytes: 100,
      exhausted: false,
    });
  });
});
