import type { CloudPath } from '../../contracts/device';

// Which way the box's own cloud link should go, decided from what the link has
// seen. Pure and clock-driven, so the whole policy is tested without a network.
//
// `auto`: wired first. Once the cloud has not answered over wired for
// `failoverAfterMs` and LTE is usable, the link moves to LTE. It comes back only
// when the wired path has answered every background check for `holdMs`, and
// never sooner than `holdMs` after the last switch: a flapping office line costs
// at most one switch per window.

export type CloudPathMode = CloudPath | 'auto';

export interface PathPolicyOptions {
  mode: CloudPathMode;
  failoverAfterMs: number;
  holdMs: number;
}

export class PathPolicy {
  path: CloudPath;
  /** When the current path stopped reaching the cloud; undefined while it does. */
  private failingSince: number | undefined;
  /** While on LTE: since when every check of the wired path has reached the cloud. */
  private wiredGoodSince: number | undefined;
  private lastSwitchAt = -Infinity;

  constructor(
    private readonly options: PathPolicyOptions,
    now: number,
  ) {
    this.path = options.mode === 'lte' ? 'lte' : 'wired';
    // Until the first answer, the cloud counts as unreachable from the start.
    this.failingSince = now;
  }

  /** The cloud answered on the current path (connected, or a probe came back). */
  answered(): void {
    this.failingSince = undefined;
  }

  /** The cloud did not answer on the current path (a failed connect or probe, a disconnect). */
  silent(now: number): void {
    this.failingSince ??= now;
  }

  /** While on LTE: what the background check of the wired path found. */
  wiredChecked(reachesCloud: boolean, now: number): void {
    this.wiredGoodSince = reachesCloud ? (this.wiredGoodSince ?? now) : undefined;
  }

  /** How long the current path has not reached the cloud, in ms (0 while it does). */
  failingFor(now: number): number {
    return this.failingSince === undefined ? 0 : now - this.failingSince;
  }

  /** A failover is due once LTE is confirmed usable; the caller checks that, then calls decide. */
  wantsLte(now: number): boolean {
    return (
      this.options.mode === 'auto' &&
      this.path === 'wired' &&
      this.failingFor(now) >= this.options.failoverAfterMs &&
      now - this.lastSwitchAt >= this.options.holdMs
    );
  }

  /** The path to switch to now, or undefined to stay. `lteUsable`: registered, addressed, within budget. */
  decide(now: number, lteUsable: boolean): CloudPath | undefined {
    if (this.options.mode !== 'auto') return undefined;
    if (this.path === 'wired')
      return this.wantsLte(now) && lteUsable ? this.switchTo('lte', now) : undefined;
    // A dead LTE link is no place to wait: the wired path is the only hope left.
    if (!lteUsable) return this.switchTo('wired', now);
    const held = now - this.lastSwitchAt >= this.options.holdMs;
    const wiredSteady =
      this.wiredGoodSince !== undefined && now - this.wiredGoodSince >= this.options.holdMs;
    return held && wiredSteady ? this.switchTo('wired', now) : undefined;
  }

  private switchTo(path: CloudPath, now: number): CloudPath {
    this.path = path;
    this.lastSwitchAt = now;
    this.failingSince = now;
    this.wiredGoodSince = undefined;
    return path;
  }
}
