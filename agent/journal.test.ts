import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createJournal } from './journal';

const counter = (message = 'done') => jest.fn(async () => message);

describe('remediation journal', () => {
  it('runs a key once and answers a repeat with the original message', async () => {
    const journal = createJournal();
    const task = counter('Power-cycled the modem.');
    expect(await journal.run('k1', 'power_cycle_modem', task)).toEqual({
      executed: true,
      ok: true,
      message: 'Power-cycled the modem.',
    });
    expect(await journal.run('k1', 'power_cycle_modem', task)).toEqual({
      executed: false,
      ok: true,
      message: 'Power-cycled the modem.',
    });
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('makes a concurrent duplicate wait for the first run', async () => {
    const journal = createJournal();
    let finish: (message: string) => void = () => {};
    const task = jest.fn(() => new Promise<string>((resolve) => (finish = resolve)));
    const first = journal.run('k2', 'flush_dns', task);
    const second = journal.run('k2', 'flush_dns', task);
    finish('Flushed.');
    expect(await Promise.all([first, second])).toEqual([
      { executed: true, ok: true, message: 'Flushed.' },
      { executed: false, ok: true, message: 'Flushed.' },
    ]);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('records a failure and does not retry it under the same key', async () => {
    const journal = createJournal();
    const task = jest.fn(async (): Promise<string> => {
      throw new Error('smart plug unreachable');
    });
    expect(await journal.run('k3', 'power_cycle_router', task)).toEqual({
      executed: true,
      ok: false,
      message: 'smart plug unreachable',
    });
    expect(await journal.run('k3', 'power_cycle_router', task)).toEqual({
      executed: false,
      ok: false,
      message: 'Failed before; not run again: smart plug unreachable',
    });
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('refuses a key reused for another action', async () => {
    const journal = createJournal();
    await journal.run('k4', 'flush_dns', counter());
    const other = counter();
    const outcome = await journal.run('k4', 'power_cycle_router', other);
    expect(outcome).toMatchObject({ executed: false, ok: false });
    expect(outcome.message).toMatch(/already used for flush_dns/);
    expect(other).not.toHaveBeenCalled();
  });

  describe('in a file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-journal-'));

    it('survives a new journal on the same file, written with mode 0600', async () => {
      const file = path.join(dir, 'journal.json');
      await createJournal(file).run('k5', 'renew_dhcp_lease', counter('Renewed.'));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const task = counter();
      expect(await createJournal(file).run('k5', 'renew_dhcp_lease', task)).toEqual({
        executed: false,
        ok: true,
        message: 'Renewed.',
      });
      expect(task).not.toHaveBeenCalled();
    });

    it('does not run again an action that was interrupted by a crash', async () => {
      const file = path.join(dir, 'crashed.json');
      const entry = {
        action: 'flush_dns',
        status: 'running',
        message: '',
        at: '2025-01-01T00:00:00Z',
      };
      writeFileSync(file, JSON.stringify({ k6: entry }));
      const task = counter();
      const outcome = await createJournal(file).run('k6', 'flush_dns', task);
      expect(outcome).toMatchObject({ executed: false, ok: false });
      expect(task).not.toHaveBeenCalled();
    });

    it('refuses to start from an unreadable file rather than forget what ran', () => {
      const file = path.join(dir, 'broken.json');
      writeFileSync(file, '{not json');
      expect(() => createJournal(file)).toThrow(/unreadable/);
      expect(readFileSync(file, 'utf8')).toBe('{not json');
    });
  });
});
