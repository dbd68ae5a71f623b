import type { CloudLink, DeviceSummary, LteData } from '#shared/types/api';

// How a Zen box reaches us, in the words of a small office rather than an engineer.

/** An amount of data as carriers count it (1 MB = 1,000,000 bytes). */
export function dataAmount(bytes: number): string {
  const mb = bytes / 1e6;
  const [value, unit] = mb >= 1000 ? [mb / 1000, 'GB'] : [mb, 'MB'];
  return `${value.toLocaleString('en', { maximumFractionDigits: 1 })} ${unit}`;
}

/** "10:42" today; with the date on another day. */
function sinceWords(iso: string, now: Date): string {
  const at = new Date(iso);
  const sameDay = at.toDateString() === now.toDateString();
  return at.toLocaleString(
    undefined,
    sameDay ? { timeStyle: 'short' } : { dateStyle: 'medium', timeStyle: 'short' },
  );
}

/** Which way the box reaches us, or reached us last when it is offline. */
export function pathSentence(device: DeviceSummary, now = new Date()): string | undefined {
  const link = device.cloudLink;
  if (!link) return undefined;
  const online = device.status === 'online';
  if (link.path === 'wired') {
    return online ? 'Connected over the office network' : 'Last connected over the office network';
  }
  const since = link.since ? ` (since ${sinceWords(link.since, now)})` : '';
  return online
    ? `Connected over its own LTE backup${since} — your office network cannot reach us`
    : `Last connected over its own LTE backup${since}`;
}

/** The box counts its months in UTC. */
function isThisMonth(lteData: LteData, now: Date): boolean {
  return lteData.month === now.toISOString().slice(0, 7);
}

/** "this month", or the month the box last reported, by name. */
export function monthWords(lteData: LteData, now = new Date()): string {
  if (isThisMonth(lteData, now)) return 'this month';
  const [year, month] = lteData.month.split('-').map(Number);
  const first = new Date(Date.UTC(year!, month! - 1, 1));
  return `in ${first.toLocaleString('en', { month: 'long', year: 'numeric', timeZone: 'UTC' })}`;
}

/** "12.3 MB of 500 MB", or the amount alone when there is no monthly budget. */
export function usageWords(lteData: LteData): string {
  const used = dataAmount(lteData.bytes);
  return lteData.budgetBytes
    ? `${used} of ${dataAmount(lteData.budgetBytes)}`
    : `${used} (no monthly limit)`;
}

/** How full the month's budget is, 0–100, when there is one. */
export function usagePercent(lteData: LteData): number | undefined {
  if (!lteData.budgetBytes) return undefined;
  return Math.min(100, Math.round((lteData.bytes / lteData.budgetBytes) * 100));
}

/** What the box does now that this month's LTE data is used up; undefined while it is not. */
export function budgetWarning(device: DeviceSummary, now = new Date()): string | undefined {
  const link: CloudLink | undefined = device.cloudLink;
  if (!link?.lteData?.exhausted || !isThisMonth(link.lteData, now)) return undefined;
  const usedUp = "This month's LTE backup data is used up.";
  const minimal = link.lteData.whenUsed !== 'offline';
  if (link.path === 'wired') {
    return minimal
      ? `${usedUp} Nothing changes while your office network works; if it fails before the month ends, the Zen box still reaches us over LTE for a case, checking in once an hour.`
      : `${usedUp} Nothing changes while your office network works; if it fails before the month ends, the Zen box cannot reach us until the new month.`;
  }
  if (device.status === 'online') {
    return `${usedUp} The Zen box keeps a minimal link: it checks in once an hour instead of every few minutes. Fixes still work; this page updates more slowly.`;
  }
  return minimal
    ? `${usedUp} The Zen box is not connected now; over LTE it keeps only a minimal link, checking in once an hour.`
    : `${usedUp} The Zen box does not use LTE until the new month begins, so it is offline until your office network reaches us again.`;
}
