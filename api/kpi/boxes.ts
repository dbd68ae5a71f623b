import type { KpiReport } from '../../contracts/kpi';

// Boxes online, as pure arithmetic: the share online now from the device documents, and
// the share of box-minutes online over a period from the boxes' offline outages (the
// health history's health_outages). A box counts from when it was added; time after now
// has not happened and does not count.

export interface BoxRecord {
  deviceId: string;
  status: string;
  /** When the box was added: it has no minutes before. */
  since: Date;
}

export interface OfflineSpan {
  deviceId: string;
  start: Date;
  /** Absent while the box is still offline. */
  end?: Date;
}

/** Boxes that have connected at least once: an enrolled box waiting for its first start is not down. */
export function countsAsBox(status: string): boolean {
  return status === 'online' || status === 'offline';
}

/** Milliseconds covered by the spans inside [start, end), overlaps counted once. */
function coveredMs(spans: { start: number; end: number }[], start: number, end: number): number {
  const clipped = spans
    .map((s) => ({ start: Math.max(s.start, start), end: Math.min(s.end, end) }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  let covered = 0;
  let reached = start;
  for (const span of clipped) {
    const from = Math.max(span.start, reached);
    if (span.end > from) covered += span.end - from;
    reached = Math.max(reached, span.end);
  }
  return covered;
}

export function boxFigures(
  boxes: BoxRecord[],
  outages: OfflineSpan[],
  period: { from: Date; to: Date },
  now: Date,
): KpiReport['boxes'] {
  const counted = boxes.filter((b) => countsAsBox(b.status));
  const onlineNow = counted.filter((b) => b.status === 'online').length;
  const periodEnd = Math.min(period.to.getTime(), now.getTime());
  let total = 0;
  let offline = 0;
  const spansOf = new Map<string, { start: number; end: number }[]>();
  for (const o of outages) {
    const spans = spansOf.get(o.deviceId) ?? [];
    spans.push({ start: o.start.getTime(), end: (o.end ?? now).getTime() });
    spansOf.set(o.deviceId, spans);
  }
  for (const box of counted) {
    const start = Math.max(period.from.getTime(), box.since.getTime());
    if (periodEnd <= start) continue;
    total += periodEnd - start;
    offline += coveredMs(spansOf.get(box.deviceId) ?? [], start, periodEnd);
  }
  return {
    count: counted.length,
    onlineNow,
    ...(counted.length > 0 && { onlineNowRatio: onlineNow / counted.length }),
    ...(total > 0 && { onlinePeriodRatio: (total - offline) / total }),
  };
}
