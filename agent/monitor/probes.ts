import type { CloudPath } from '../../contracts/cloudPath';
import type { ProbeTarget } from '../../contracts/monitor';

// What one probe round measured, whatever measured it: the real Linux tools
// (linuxProbes.ts) or a simulated network (simulatedProbes.ts).

/** The probes of one target in one round: how many went out, and the round trips answered. */
export interface ProbeSample {
  target: ProbeTarget;
  sent: number;
  /** Milliseconds of each answered probe; fewer than `sent` when some were lost. */
  answeredMs: number[];
}

export interface ProbeSource {
  /** One round of gateway, DNS and internet probes, and the HTTP probe when asked. */
  round(withHttp: boolean): Promise<ProbeSample[]>;
  /** The way the box's own link to the cloud goes now, when known. */
  cloudPath(): CloudPath | undefined;
}

/** The order targets are listed in, everywhere. */
export const targetOrder: readonly ProbeTarget[] = ['gateway', 'dns', 'internet', 'http'];

/** A target failed in a round when it sent something and nothing answered. */
export function failedTargets(samples: readonly ProbeSample[]): ProbeTarget[] {
  const failed = new Set<ProbeTarget>();
  const answered = new Set<ProbeTarget>();
  for (const sample of samples) {
    if (sample.answeredMs.length > 0) answered.add(sample.target);
    else if (sample.sent > 0) failed.add(sample.target);
  }
  // Several internet targets: one dead target is not an outage.
  return targetOrder.filter((t) => failed.has(t) && !answered.has(t));
}
