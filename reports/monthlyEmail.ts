import { fixDescriptions } from '../contracts/fixes';
import { durationWords } from '../notifier/words';
import type { BoxMonth, BoxOutage, CaseMonth, MonthlyReport } from './monthly';
import {
  clockWords,
  dateTimeWords,
  dayWords,
  outageLabels,
  outcomeWords,
  percentWords,
  problemLabels,
} from './words';

// The monthly report as an email: HTML with inline styles only (mail clients drop style
// sheets and block remote images; the uptime bars are table cells) and the same in plain
// text. Every figure in the customer's words.

export interface ReportEmail {
  subject: string;
  html: string;
  text: string;
}

export interface ReportContacts {
  /** The support line, said at the end. */
  supportNumber?: string;
}

/** Outages listed per box; the rest are counted. */
const outagesShown = 5;

const colors = {
  ink: '#1d2939',
  muted: '#667085',
  line: '#eaecf0',
  good: '#12b76a',
  fair: '#f79009',
  bad: '#f04438',
  none: '#d0d5dd',
};

export function renderMonthlyEmail(
  report: MonthlyReport,
  contacts: ReportContacts = {},
): ReportEmail {
  const subject = `${report.businessName}: your network in ${report.month.label}`;
  return {
    subject,
    html: renderHtml(report, contacts),
    text: renderText(report, contacts),
  };
}

/** "12 minutes", "1 hour 40 minutes"; from a day on, days and hours: "3 days 2 hours". */
export function secondsWords(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  if (hours < 24) return durationWords(seconds / 60);
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  const dayWords = days === 1 ? '1 day' : `${days} days`;
  return rest ? `${dayWords} ${rest} ${rest === 1 ? 'hour' : 'hours'}` : dayWords;
}

function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The headline figures, shared by both parts. */
function headline(report: MonthlyReport): { label: string; value: string; note?: string }[] {
  const { totals } = report;
  const s = totals.satisfaction;
  return [
    { label: 'Cases opened', value: String(totals.opened) },
    { label: 'Cases fixed', value: String(totals.resolved) },
    {
      label: 'Typical time to fix',
      value: totals.mttrSeconds === undefined ? 'No fixes' : secondsWords(totals.mttrSeconds),
    },
    {
      label: 'Your rating',
      value: s.averageScore === undefined ? 'Not rated' : `${s.averageScore} out of 5`,
      ...(s.asked > 0 && { note: `${s.answered} of ${s.asked} cases rated` }),
    },
  ];
}

function uptimeWords(box: BoxMonth): string {
  if (box.uptimePct === undefined) return 'No measurements this month';
  const measured = box.measuredPct < 95 ? ` (measured ${box.measuredPct}% of the month)` : '';
  return `${percentWords(box.uptimePct)} working${measured}`;
}

/** "between 14:00 and 15:00 on Tue 14 Oct", or for a silent box "from Tue 14 Oct, 14:05". */
function whenWords(outage: BoxOutage): string {
  if (outage.kind === 'offline' || !outage.end) {
    return outage.end
      ? `${dateTimeWords(outage.start)} to ${dateTimeWords(outage.end)}`
      : `since ${dateTimeWords(outage.start)}`;
  }
  const sameDay = outage.start.slice(0, 10) === outage.end.slice(0, 10);
  return sameDay
    ? `${dayWords(outage.start)}, between ${clockWords(outage.start)} and ${clockWords(outage.end)}`
    : `between ${dateTimeWords(outage.start)} and ${dateTimeWords(outage.end)}`;
}

function fixesWords(c: CaseMonth): string {
  return c.fixes.length ? c.fixes.map((f) => fixDescriptions[f].title).join('; ') : '—';
}

function dayColor(day: BoxMonth['days'][number]): string {
  if (day.uptimePct === undefined) return colors.none;
  if (day.failedMinutes === 0) return colors.good;
  return day.failedMinutes <= 60 ? colors.fair : colors.bad;
}

function renderHtml(report: MonthlyReport, contacts: ReportContacts): string {
  const cell = `padding:8px 10px;border-bottom:1px solid ${colors.line};text-align:left;vertical-align:top`;
  const tiles = headline(report)
    .map(
      (t) =>
        `<td style="padding:12px;border:1px solid ${colors.line};border-radius:8px;width:25%"><div style="font-size:12px;color:${colors.muted}">${esc(t.label)}</div><div style="font-size:18px;font-weight:600;margin-top:4px">${esc(t.value)}</div>${t.note ? `<div style="font-size:12px;color:${colors.muted};margin-top:2px">${esc(t.note)}</div>` : ''}</td>`,
    )
    .join('');
  const boxes = report.boxes.map((box) => boxHtml(box, cell)).join('');
  const caseRows = report.cases
    .map(
      (c) =>
        `<tr><td style="${cell}">${esc(dateTimeWords(c.openedAt))}</td><td style="${cell}">${esc(problemLabels[c.category])}</td><td style="${cell}">${esc(fixesWords(c))}</td><td style="${cell}">${esc(outcomeWords(c.status, c.outcome, c.resolvedBy))}</td><td style="${cell}">${c.resolutionSeconds === undefined ? '—' : esc(secondsWords(c.resolutionSeconds))}</td><td style="${cell}">${c.satisfaction ? `${c.satisfaction.score} of 5` : '—'}</td></tr>`,
    )
    .join('');
  const cases = report.cases.length
    ? `<table role="presentation" style="width:100%;border-collapse:collapse;font-size:13px"><tr>${['Opened', 'Problem', 'What was done', 'Outcome', 'Time to fix', 'Rating'].map((h) => `<th style="${cell};color:${colors.muted};font-weight:600">${h}</th>`).join('')}</tr>${caseRows}</table>`
    : `<p style="color:${colors.muted}">No support cases this month.</p>`;
  const help = contacts.supportNumber
    ? ` Questions about this report? Call us on ${esc(contacts.supportNumber)}.`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(report.businessName)}: ${esc(report.month.label)}</title></head>
<body style="margin:0;padding:0;background:#f9fafb">
<div style="max-width:680px;margin:0 auto;padding:24px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:${colors.ink};background:#ffffff">
<div style="font-size:13px;color:${colors.muted}">Zen &amp; Zen Network Support · monthly report</div>
<h1 style="font-size:22px;margin:6px 0 2px">${esc(report.businessName)}</h1>
<div style="font-size:16px;margin-bottom:18px">Your network in ${esc(report.month.label)}</div>
<table role="presentation" style="width:100%;border-collapse:separate;border-spacing:6px;margin:0 -6px 18px"><tr>${tiles}</tr></table>
<h2 style="font-size:16px;margin:18px 0 8px">Your Zen boxes</h2>
${boxes || `<p style="color:${colors.muted}">No Zen boxes this month.</p>`}
<h2 style="font-size:16px;margin:22px 0 8px">Support cases</h2>
${cases}
<p style="font-size:12px;color:${colors.muted};margin-top:24px">Times are in UTC. "Working" is the share of the time your Zen box measured in which your network and internet worked.${help}</p>
</div></body></html>`;
}

function boxHtml(box: BoxMonth, cell: string): string {
  const bar = box.days
    .map(
      (d) =>
        `<td title="${esc(dayWords(d.date))}: ${d.uptimePct === undefined ? 'not measured' : percentWords(d.uptimePct)}" style="height:18px;padding:0;background:${dayColor(d)};border-right:2px solid #ffffff"></td>`,
    )
    .join('');
  const shown = box.outages.slice(0, outagesShown);
  const more = box.outages.length - shown.length;
  const outages = shown.length
    ? `<table role="presentation" style="width:100%;border-collapse:collapse;font-size:13px;margin-top:8px">${shown
        .map(
          (o) =>
            `<tr><td style="${cell}">${esc(outageLabels[o.kind])}</td><td style="${cell}">${esc(whenWords(o))}</td><td style="${cell};white-space:nowrap">${esc(secondsWords(o.seconds))}</td></tr>`,
        )
        .join(
          '',
        )}</table>${more > 0 ? `<div style="font-size:12px;color:${colors.muted};margin-top:4px">and ${more} shorter ${more === 1 ? 'outage' : 'outages'}</div>` : ''}`
    : `<div style="font-size:13px;color:${colors.muted};margin-top:8px">No outages.</div>`;
  return `<div style="border:1px solid ${colors.line};border-radius:8px;padding:14px;margin-bottom:12px">
<div style="font-weight:600">${esc(box.name)}</div>
<div style="font-size:13px;margin:2px 0 8px">${esc(uptimeWords(box))}</div>
<table role="presentation" style="width:100%;border-collapse:collapse;table-layout:fixed"><tr>${bar}</tr></table>
<div style="font-size:11px;color:${colors.muted};margin-top:3px">Each block is a day: green: all working, amber: up to an hour of trouble, red: more, grey: not measured.</div>
${outages}
</div>`;
}

function renderText(report: MonthlyReport, contacts: ReportContacts): string {
  const lines = [
    `${report.businessName}: your network in ${report.month.label}`,
    '',
    ...headline(report).map((t) => `${t.label}: ${t.value}${t.note ? ` (${t.note})` : ''}`),
    '',
    'YOUR ZEN BOXES',
  ];
  if (report.boxes.length === 0) lines.push('No Zen boxes this month.');
  for (const box of report.boxes) {
    lines.push('', `${box.name}: ${uptimeWords(box)}`);
    const shown = box.outages.slice(0, outagesShown);
    if (shown.length === 0) lines.push('  No outages.');
    for (const o of shown) {
      lines.push(`  - ${outageLabels[o.kind]}: ${secondsWords(o.seconds)}, ${whenWords(o)}`);
    }
    const more = box.outages.length - shown.length;
    if (more > 0) lines.push(`  and ${more} shorter ${more === 1 ? 'outage' : 'outages'}`);
  }
  lines.push('', 'SUPPORT CASES');
  if (report.cases.length === 0) lines.push('No support cases this month.');
  for (const c of report.cases) {
    const time =
      c.resolutionSeconds === undefined ? '' : ` in ${secondsWords(c.resolutionSeconds)}`;
    const rating = c.satisfaction ? ` You rated it ${c.satisfaction.score} of 5.` : '';
    const done = c.fixes.length ? ` What was done: ${fixesWords(c)}.` : '';
    lines.push(
      `- ${dateTimeWords(c.openedAt)}: ${problemLabels[c.category]}. ${outcomeWords(c.status, c.outcome, c.resolvedBy)}${time}.${done}${rating}`,
    );
  }
  lines.push(
    '',
    `Times are in UTC. "Working" is the share of the time your Zen box measured in which your network and internet worked.`,
  );
  if (contacts.supportNumber) {
    lines.push(`Questions about this report? Call us on ${contacts.supportNumber}.`);
  }
  return `${lines.join('\n')}\n`;
}
