import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LteData } from '../../contracts/device';

// LTE data is metered: the box counts every byte its LTE interface sends and
// receives (what the carrier bills, headers included), per calendar month (UTC),
// kept on disk so a restart loses nothing. The kernel's counters restart when the
// interface does; only their growth is added.

interface Kept {
  month: string;
  bytes: number;
  /** The counters at the last sample, to add only what grew since. */
  rx?: number;
  tx?: number;
}

export interface LteMeterOptions {
  iface: string;
  stateDir: string;
  budgetBytes?: number;
  whenUsed: 'minimal' | 'offline';
  /** Where the interface's counters are (sysfs; tests give their own). */
  statisticsDir?: string;
  log: (line: string) => void;
}

const monthOf = (now: Date) => now.toISOString().slice(0, 7);

export function createLteMeter(options: LteMeterOptions) {
  const file = path.join(options.stateDir, 'lte-usage.json');
  const stats = options.statisticsDir ?? `/sys/class/net/${options.iface}/statistics`;
  let kept: Kept;
  try {
    kept = JSON.parse(readFileSync(file, 'utf8')) as Kept;
  } catch {
    kept = { month: monthOf(new Date()), bytes: 0 };
  }
  let warned = false;

  const counter = (name: string): number | undefined => {
    try {
      const value = Number(readFileSync(path.join(stats, name), 'utf8'));
      return Number.isFinite(value) ? value : undefined;
    } catch {
      return undefined;
    }
  };

  /** Adds what the interface counted since the last sample. */
  function sample(now = new Date()): LteData {
    const month = monthOf(now);
    if (month !== kept.month) kept = { month, bytes: 0, rx: kept.rx, tx: kept.tx };
    const rx = counter('rx_bytes');
    const tx = counter('tx_bytes');
    if (rx !== undefined && tx !== undefined) {
      const grown = (current: number, last: number | undefined) =>
        last === undefined ? 0 : current >= last ? current - last : current;
      kept.bytes += grown(rx, kept.rx) + grown(tx, kept.tx);
      kept.rx = rx;
      kept.tx = tx;
      try {
        writeFileSync(file, JSON.stringify(kept));
      } catch (err) {
        if (!warned) options.log(`cannot keep the LTE data count: ${(err as Error).message}`);
        warned = true;
      }
    }
    return report();
  }

  function report(): LteData {
    const budget = options.budgetBytes;
    return {
      month: kept.month,
      bytes: kept.bytes,
      ...(budget !== undefined && { budgetBytes: budget }),
      exhausted: budget !== undefined && kept.bytes >= budget,
      whenUsed: options.whenUsed,
    };
  }

  return { sample, report };
}
export type LteMeter = ReturnType<typeof createLteMeter>;
