// Relative, not #shared: jest reads this file too.
import type {
  DeviceCurrentHealth,
  HistoryPoint,
  Outage,
  ProbeTarget,
} from '../../shared/types/api';

// A Zen box's health history in plain words: what failed, when, for how long.

export type HealthRange = '24h' | '48h' | '7d' | '30d';

export const RANGES: {
  id: HealthRange;
  label: string;
  hours: number;
  resolution: 'minute' | 'hour';
}[] = [
  { id: '24h', label: '24 hours', hours: 24, resolution: 'minute' },
  { id: '48h', label: '48 hours', hours: 48, resolution: 'minute' },
  { id: '7d', label: '7 days', hours: 24 * 7, resolution: 'hour' },
  { id: '30d', label: '30 days', hours: 24 * 30, resolution: 'hour' },
];

const TARGET_WORDS: Record<ProbeTarget, string> = {
  gateway: 'the router',
  dns: 'name lookups',
  internet: 'the internet',
  http: 'websites',
};

export function targetWords(target: ProbeTarget): string {
  return TARGET_WORDS[target] ?? 'a check';
}

/** "the router and the internet" */
export function targetList(targets: ProbeTarget[]): string {
  const words = targets.map(targetWords);
  return words.length <= 1
    ? (words[0] ?? '')
    : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

const OUTAGE_WORDS: Record<Outage['kind'], string> = {
  offline: 'Zen box offline',
  internet: 'Internet down',
  gateway: 'Router not answering',
  dns: 'Name lookups failing',
  http: 'Websites not loading',
};

export function outageTitle(outage: Outage): string {
  return OUTAGE_WORDS[outage.kind] ?? 'Something failed';
}

/** "17 min", "2 h 5 min", "3 days 4 h" */
export function durationWords(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return `${days} day${days === 1 ? '' : 's'}${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

/** "6 Dec, 02:14": the page's one way of saying a moment. */
export function shortTime(iso: string, timeZone?: string): string {
  return new Date(iso).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  });
}

function clock(at: Date, timeZone?: string): string {
  return at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone });
}

function day(at: Date, timeZone?: string): string {
  return at.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone });
}

/**
 * "Internet down, 02:14–02:31, 17 min"; with the day when it was not today; "since 02:14,
 * still going (17 min so far)" while it lasts.
 */
export function outageSentence(outage: Outage, now = new Date(), timeZone?: string): string {
  const start = new Date(outage.start);
  const sameDay = (d: Date) => day(d, timeZone) === day(now, timeZone);
  const when = (d: Date) =>
    sameDay(d) ? clock(d, timeZone) : `${day(d, timeZone)} ${clock(d, timeZone)}`;
  const title = outageTitle(outage);
  if (!outage.end) {
    return `${title}, since ${when(start)}, still going (${durationWords(now.getTime() - start.getTime())} so far)`;
  }
  const end = new Date(outage.end);
  const endWords = day(end, timeZone) === day(start, timeZone) ? clock(end, timeZone) : when(end);
  return `${title}, ${when(start)}–${endWords}, ${durationWords(end.getTime() - start.getTime())}`;
}

/** "99.9 %" with as many decimals as it takes to not read 100 % while something failed. */
export function uptimeWords(pct: number | undefined): string {
  if (pct === undefined) return 'no measurements yet';
  if (pct >= 100) return '100 %';
  const fixed = pct >= 99.9 ? 2 : 1;
  return `${Math.min(pct, 99.99).toFixed(fixed)} %`;
}

/** One segment of the uptime bar: an hour or a day of points. */
export interface UptimeSegment {
  start: Date;
  end: Date;
  minutes: number;
  failedMinutes: number;
  failed: ProbeTarget[];
}

/** The points summed into segments of `segmentMs`, from `from` to `to`, gaps included. */
export function uptimeSegments(
  points: HistoryPoint[],
  from: Date,
  to: Date,
  segmentMs: number,
): UptimeSegment[] {
  const first = Math.floor(from.getTime() / segmentMs) * segmentMs;
  const segments: UptimeSegment[] = [];
  for (let at = first; at < to.getTime(); at += segmentMs) {
    segments.push({
      start: new Date(at),
      end: new Date(at + segmentMs),
      minutes: 0,
      failedMinutes: 0,
      failed: [],
    });
  }
  for (const point of points) {
    const index = Math.floor((new Date(point.at).getTime() - first) / segmentMs);
    const segment = segments[index];
    if (!segment) continue;
    segment.minutes += point.minutes;
    segment.failedMinutes += point.failedMinutes;
    for (const target of point.failed) {
      if (!segment.failed.includes(target)) segment.failed.push(target);
    }
  }
  return segments;
}

export type SegmentTone = 'none' | 'good' | 'some' | 'bad';

/** Grey without measurements, green without failures, amber for a few failed minutes, red for more. */
export function segmentTone(segment: UptimeSegment): SegmentTone {
  if (segment.minutes === 0) return 'none';
  if (segment.failedMinutes === 0) return 'good';
  return segment.failedMinutes / segment.minutes < 0.05 ? 'some' : 'bad';
}

/** What a segment says in words, for its tooltip and the text alternative. */
export function segmentSentence(
  segment: UptimeSegment,
  hourly: boolean,
  timeZone?: string,
): string {
  const when = hourly
    ? `${day(segment.start, timeZone)} ${clock(segment.start, timeZone)}–${clock(segment.end, timeZone)}`
    : day(segment.start, timeZone);
  if (segment.minutes === 0) return `${when}: no measurements`;
  if (segment.failedMinutes === 0) return `${when}: no failures`;
  const what = segment.failed.length ? ` (${targetList(segment.failed)})` : '';
  const minutes = segment.failedMinutes === 1 ? '1 minute' : `${segment.failedMinutes} minutes`;
  return `${when}: ${minutes} with failures${what}`;
}

/** The box's state now, in one sentence. */
export function stateSentence(current: DeviceCurrentHealth): string {
  if (!current.online) return 'Offline: the Zen box cannot be reached';
  return current.cloudPath === 'lte'
    ? 'Online, over its own LTE backup: your office network cannot reach us'
    : 'Online, over the office network';
}

/** What the box's monitor says now. */
export function monitorSentence(current: DeviceCurrentHealth, timeZone?: string): string {
  const monitor = current.monitor;
  if (!monitor) return 'The Zen box has not reported its checks yet.';
  const sinceWords = shortTime(monitor.since, timeZone);
  if (monitor.state === 'healthy') {
    return `Everything it checks answers: the router, name lookups and the internet (since ${sinceWords}).`;
  }
  const failing = monitor.failing.length ? targetList(monitor.failing) : 'something';
  const flaps = monitor.flaps ? ` It has failed ${monitor.flaps} times in the last hour.` : '';
  return `Not working: ${failing} (since ${sinceWords}).${flaps}`;
}
