import mongoose from 'mongoose';
import { hourMs, uptimePct } from '../api/monitoring/historyBuckets';
import { hourPoints, readOutages } from '../api/monitoring/historyRead';
import { closedStatuses, type CaseStatus, type IssueCategory } from '../contracts/case';
import type { CaseOutcome, ResolvedBy } from '../contracts/caseFigures';
import { fixDescriptions, type ActionId } from '../contracts/fixes';
import type { HistoryPoint, Outage, ProbeTarget } from '../contracts/monitor';
import { Case, Customer, Device, Site } from '../store/models';
import { CaseSatisfaction } from '../store/satisfaction';
import { unseal } from '../privacy/seal';
import { reportMonth, type ReportMonth } from './month';

// One customer's month, gathered for the monthly report (./monthlyEmail.ts words it):
// per box its uptime and outages from the health history, the cases opened and closed,
// what was fixed, how fast, and what the customer said. Figures only; no words here.

export interface BoxOutage {
  kind: Outage['kind'];
  start: string;
  /** Absent while it goes on (a preview of the month in progress). */
  end?: string;
  /** How long something was failing (offline: how long the box was silent), in the month. */
  seconds: number;
  failed: ProbeTarget[];
}

export interface BoxMonth {
  deviceId: string;
  /** The box's place, as the customer knows it: its site's name. */
  name: string;
  /** Share of measured minutes without a failure; absent when nothing was measured. */
  uptimePct?: number;
  /** Share of the month's minutes (so far) that the box measured. */
  measuredPct: number;
  /** Each day of the month (so far): its uptime and its minutes with a failure. */
  days: { date: string; uptimePct?: number; failedMinutes: number }[];
  /** Longest first. */
  outages: BoxOutage[];
}

export interface CaseMonth {
  caseId: string;
  openedAt: string;
  closedAt?: string;
  status: CaseStatus;
  /** How it ended, for a case closed by the month's end. */
  outcome?: CaseOutcome;
  resolvedBy?: ResolvedBy;
  category: IssueCategory;
  /** The catalog fixes carried out, in order, each once. */
  fixes: ActionId[];
  resolutionSeconds?: number;
  satisfaction?: { score: number; comment?: string };
}

export interface MonthlyReport {
  customerId: string;
  businessName: string;
  month: { key: string; label: string; from: string; to: string };
  /** The month is still going on: the figures run up to this instant. */
  through: string;
  boxes: BoxMonth[];
  /** Opened or closed in the month, by opening time. */
  cases: CaseMonth[];
  totals: {
    opened: number;
    closed: number;
    resolved: number;
    /** Resolved with nobody but the customer approving: the automation's work. */
    resolvedAutomatically: number;
    /** Median time to resolution of the cases resolved in the month. */
    mttrSeconds?: number;
    satisfaction: { asked: number; answered: number; averageScore?: number };
  };
}

/** The report of `monthKey` (YYYY-MM) for the customer; undefined for no such customer. */
export async function gatherMonthlyReport(
  customerId: string,
  monthKey: string,
  now = new Date(),
): Promise<MonthlyReport | undefined> {
  const customer = await Customer.findById(customerId, { businessName: 1 }).lean();
  if (!customer) return undefined;
  const month = reportMonth(monthKey);
  const through = new Date(Math.min(month.to.getTime(), now.getTime()));
  const [boxes, cases] = await Promise.all([
    boxesOf(customerId, month, through, now),
    casesOf(customerId, month),
  ]);
  const closed = cases.filter((c) => c.closedAt && Date.parse(c.closedAt) >= month.from.getTime());
  const resolved = closed.filter((c) => c.outcome === 'resolved');
  const asked = closed.filter((c) => c.outcome !== 'cancelled');
  const scores = asked.flatMap((c) => (c.satisfaction ? [c.satisfaction.score] : []));
  return {
    customerId,
    businessName: customer.businessName,
    month: {
      key: month.key,
      label: month.label,
      from: month.from.toISOString(),
      to: month.to.toISOString(),
    },
    through: through.toISOString(),
    boxes,
    cases,
    totals: {
      opened: cases.filter((c) => Date.parse(c.openedAt) >= month.from.getTime()).length,
      closed: closed.length,
      resolved: resolved.length,
      resolvedAutomatically: resolved.filter(
        (c) => c.resolvedBy === 'automation' || c.resolvedBy === 'customer',
      ).length,
      mttrSeconds: median(resolved.flatMap((c) => c.resolutionSeconds ?? [])),
      satisfaction: {
        asked: asked.length,
        answered: scores.length,
        averageScore: scores.length
          ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10
          : undefined,
      },
    },
  };
}

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

async function boxesOf(
  customerId: string,
  month: ReportMonth,
  through: Date,
  now: Date,
): Promise<BoxMonth[]> {
  const [devices, sites] = await Promise.all([
    Device.find({ customerId }, { deviceId: 1, siteId: 1, createdAt: 1 })
      .sort({ createdAt: 1 })
      .lean(),
    Site.find({ customerId }, { name: 1 }).lean(),
  ]);
  const siteName = new Map(sites.map((s) => [s._id, s.name]));
  const present = devices.filter((d) => !d.createdAt || d.createdAt < month.to);
  const names = boxNames(present.map((d) => siteName.get(d.siteId) ?? 'Your office'));
  return Promise.all(present.map((d, i) => boxMonth(d.deviceId, names[i]!, month, through, now)));
}

/** Site names, told apart when several boxes share a site: "Main office (box 2)". */
function boxNames(sites: string[]): string[] {
  const seen = new Map<string, number>();
  return sites.map((site) => {
    const count = (seen.get(site) ?? 0) + 1;
    seen.set(site, count);
    const shared = sites.filter((s) => s === site).length > 1;
    return shared ? `${site} (box ${count})` : site;
  });
}

async function boxMonth(
  deviceId: string,
  name: string,
  month: ReportMonth,
  through: Date,
  now: Date,
): Promise<BoxMonth> {
  const [points, outages] = await Promise.all([
    hourPoints(deviceId, month.from, through),
    readOutages(deviceId, month.from, month.to, now),
  ]);
  const measured = points.reduce((sum, p) => sum + p.minutes, 0);
  const minutesSoFar = (through.getTime() - month.from.getTime()) / 60_000;
  return {
    deviceId,
    name,
    ...defined({ uptimePct: uptimePct(points) }),
    measuredPct: minutesSoFar > 0 ? Math.round((measured / minutesSoFar) * 1000) / 10 : 0,
    days: daysOf(points, month.from, through),
    outages: outages
      .map((o) => boxOutage(o, points, month.from, through))
      .filter((o) => o.seconds > 0)
      .sort((a, b) => b.seconds - a.seconds || a.start.localeCompare(b.start)),
  };
}

function daysOf(points: HistoryPoint[], from: Date, through: Date) {
  const days: BoxMonth['days'] = [];
  for (let t = from.getTime(); t < through.getTime(); t += 24 * hourMs) {
    const date = new Date(t).toISOString().slice(0, 10);
    const day = points.filter((p) => p.at.startsWith(date));
    const failedMinutes = day.reduce((sum, p) => sum + p.failedMinutes, 0);
    days.push({ date, ...defined({ uptimePct: uptimePct(day) }), failedMinutes });
  }
  return days;
}

/**
 * An outage's time inside the month. The month's history is hourly, so what the monitor
 * saw fail lasted the failed minutes of the hours it spans (never longer than the span);
 * an offline outage lasted from the box's last word to its return.
 */
function boxOutage(outage: Outage, points: HistoryPoint[], from: Date, through: Date): BoxOutage {
  const start = Math.max(Date.parse(outage.start), from.getTime());
  const end = Math.min(outage.end ? Date.parse(outage.end) : Infinity, through.getTime());
  const span = Math.max(0, end - start);
  let ms = span;
  if (outage.kind !== 'offline') {
    const failed = points
      .filter((p) => Date.parse(p.at) < end && Date.parse(p.at) + hourMs > start)
      .reduce((sum, p) => sum + p.failedMinutes, 0);
    ms = Math.min(span, failed * 60_000);
  }
  return {
    kind: outage.kind,
    start: outage.start,
    ...(outage.end && { end: outage.end }),
    seconds: Math.round(ms / 1000),
    failed: outage.failed,
  };
}

interface StoredCase {
  _id: string;
  createdAt?: Date;
  completedAt?: Date;
  status?: string;
  outcome?: string;
  resolvedBy?: string;
  issueCategory?: string;
  remediationActions?: { action?: string; executed?: boolean }[];
  times?: { resolutionSeconds?: number };
  resolutionTimeMinutes?: number;
}

async function casesOf(customerId: string, month: ReportMonth): Promise<CaseMonth[]> {
  const inMonth = () => mongoose.trusted({ $gte: month.from, $lt: month.to });
  const [opened, closed] = await Promise.all([
    Case.find({ customerId, createdAt: inMonth() }).lean<StoredCase[]>(),
    Case.find({ customerId, completedAt: inMonth() }).lean<StoredCase[]>(),
  ]);
  const byId = new Map([...opened, ...closed].map((c) => [c._id, c]));
  const answers = await satisfactionOf(customerId, [...byId.keys()]);
  return [...byId.values()]
    .map((c) => caseMonth(c, month, answers.get(c._id)))
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt));
}

function caseMonth(
  doc: StoredCase,
  month: ReportMonth,
  satisfaction: CaseMonth['satisfaction'],
): CaseMonth {
  const status = (doc.status ?? 'open') as CaseStatus;
  const closed =
    closedStatuses.includes(status) && doc.completedAt !== undefined && doc.completedAt < month.to;
  const outcome = closed ? ((doc.outcome ?? status) as CaseOutcome) : undefined;
  const fixes = (doc.remediationActions ?? [])
    .filter((a) => a.executed !== false && a.action && a.action in fixDescriptions)
    .map((a) => a.action as ActionId);
  // Cases closed before the figures were recorded kept whole minutes only.
  const legacySeconds =
    outcome === 'resolved' && doc.resolutionTimeMinutes !== undefined
      ? doc.resolutionTimeMinutes * 60
      : undefined;
  return {
    caseId: doc._id,
    openedAt: (doc.createdAt ?? month.from).toISOString(),
    ...(closed && { closedAt: doc.completedAt!.toISOString() }),
    status,
    ...defined({
      outcome,
      resolvedBy: doc.resolvedBy as ResolvedBy | undefined,
      resolutionSeconds:
        outcome === 'resolved' ? (doc.times?.resolutionSeconds ?? legacySeconds) : undefined,
      satisfaction,
    }),
    category: (doc.issueCategory ?? 'unknown') as IssueCategory,
    fixes: [...new Set(fixes)],
  };
}

/** The answers to "how did it go" (store/satisfaction.ts, one per case). */
async function satisfactionOf(customerId: string, caseIds: string[]) {
  const answers = new Map<string, NonNullable<CaseMonth['satisfaction']>>();
  if (caseIds.length === 0) return answers;
  const docs = await CaseSatisfaction.find({
    _id: mongoose.trusted({ $in: caseIds }),
    customerId,
  }).lean();
  for (const doc of docs) {
    // Comments are kept sealed (privacy/): the report reads them open, or "(erased)".
    const comment = doc.comment ? await unseal(doc.comment) : undefined;
    answers.set(doc._id, { score: doc.score, ...(comment && { comment }) });
  }
  return answers;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
