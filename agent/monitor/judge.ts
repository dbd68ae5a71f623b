import type { MonitorState, ProbeTarget } from '../../contracts/monitor';
import type { DampingConfig } from './config';

// The judge: turns probe rounds into the state the box reports. A fault is confirmed
// by `confirmAfter` failing rounds in a row and cleared by `clearAfter` passing ones.
// Flaps are damped as routers damp a flapping route: each confirmed fault adds a
// penalty that halves every `halfLifeSeconds`; above `suppressAbove` the line is
// suppressed and stays reported in fault (one case, one alert) until the penalty
// has decayed below `reuseBelow` and the line is healthy.

export interface JudgeOptions {
  confirmAfter: number;
  clearAfter: number;
  damping: DampingConfig;
}

type Verdict = 'healthy' | 'fault';

const hourMs = 60 * 60_000;

export class Judge {
  /** What the rounds say, once confirmed; undefined until the first verdict after start. */
  private verdict: Verdict | undefined;
  private streak: { failing: boolean; count: number } | undefined;
  private reported: MonitorState | undefined;
  private penalty = 0;
  private penaltyAt: number;
  private suppressed = false;
  /** When faults were confirmed: the last hour's count is shown as `flaps`. */
  private flapTimes: number[] = [];

  /** `restored`: the state reported before a restart, reported again until the rounds decide. */
  constructor(
    private readonly options: JudgeOptions,
    now: number,
    restored?: MonitorState,
  ) {
    this.penaltyAt = now;
    this.reported = restored;
  }

  /** The state to report; undefined until the rounds after start agree (unless restored). */
  get state(): MonitorState | undefined {
    return this.reported;
  }

  /** Rounds are still deciding (a streak against the verdict): probe again soon. */
  get deciding(): boolean {
    if (this.verdict === undefined) return true;
    return this.streak !== undefined && this.streak.failing !== (this.verdict === 'fault');
  }

  /** One probe round's failed targets; returns the reported state when it changed. */
  observe(failed: readonly ProbeTarget[], now: number): MonitorState | undefined {
    const failing = failed.length > 0;
    this.streak =
      this.streak?.failing === failing
        ? { failing, count: this.streak.count + 1 }
        : { failing, count: 1 };
    this.decay(now);
    const needed = failing ? this.options.confirmAfter : this.options.clearAfter;
    const next: Verdict = failing ? 'fault' : 'healthy';
    if (this.streak.count >= needed && this.verdict !== next) {
      // The first verdict after start is not a flap: the box may restart during an outage.
      if (next === 'fault' && this.verdict !== undefined) this.flap(now);
      this.verdict = next;
    }
    if (this.verdict === 'fault' && failing && this.reported?.state === 'fault') {
      this.reported = { ...this.reported, failing: [...failed] };
    }
    return this.report(failed, now);
  }

  private flap(now: number) {
    this.penalty += this.options.damping.penaltyPerFlap;
    this.flapTimes = [...this.flapTimes.filter((t) => now - t < hourMs), now].slice(-1000);
    if (this.penalty > this.options.damping.suppressAbove) this.suppressed = true;
  }

  private decay(now: number) {
    const halfLifeMs = this.options.damping.halfLifeSeconds * 1000;
    this.penalty *= Math.pow(0.5, Math.max(0, now - this.penaltyAt) / halfLifeMs);
    this.penaltyAt = now;
    if (this.suppressed && this.penalty < this.options.damping.reuseBelow) this.suppressed = false;
  }

  /** The reported state follows the verdict, except that a suppressed line stays in fault. */
  private report(failed: readonly ProbeTarget[], now: number): MonitorState | undefined {
    if (this.verdict === undefined) return undefined;
    const shown: Verdict = this.suppressed ? 'fault' : this.verdict;
    const flaps = this.flapTimes.filter((t) => now - t < hourMs).length;
    if (this.reported?.state === shown) {
      this.reported = { ...this.reported, flaps };
      return undefined;
    }
    this.reported = {
      state: shown,
      failing: shown === 'fault' ? [...failed] : [],
      since: new Date(now).toISOString(),
      flaps,
    };
    return this.reported;
  }
}
