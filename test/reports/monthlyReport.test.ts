import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureHealthIndexes } from '../../store/healthHistory';
import { Device, Site } from '../../store/models';
import { gatherMonthlyReport, type MonthlyReport } from '../../reports/monthly';
import { renderMonthlyEmail } from '../../reports/monthlyEmail';
import { describeInBrowser, launchChromium } from '../support/portal';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';
import { startTestStack, type TestStack } from '../support/stack';
import {
  boxAt,
  compact,
  day,
  hour,
  insertCase,
  insertSatisfaction,
  interval,
  minute,
  offlineOutage,
  storeHistory,
  testMonth,
} from './support';

// One customer's month, known minute by minute: the report's figures are exact, keep to the
// month's edges and to the customer, and the email says them in plain words. Operators may
// preview it; nobody else. Set SCREENSHOT_DOCS=1 to save the rendered email as
// docs/monthly-report.png for the README.

const { key, from: F, to: T } = testMonth();
const monthLabel = new Date(F).toLocaleString('en-US', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const DOCS = path.resolve(__dirname, '..', '..', 'docs');
const iso = (ms: number) => new Date(ms).toISOString();
const day3 = F + 2 * day + 10 * hour;
const day10 = F + 9 * day + 8 * hour;

describe('the monthly report', () => {
  let stack: TestStack;
  let other: OtherTenant;
  let report: MonthlyReport;
  const customerId = () => stack.demo.customer.id;
  const boxA = () => stack.demo.device.deviceId;
  const boxB = `pi-warehouse-${randomUUID().slice(0, 8)}`;
  const boxLater = `pi-later-${randomUUID().slice(0, 8)}`;
  const caseId = (name: string) => `case-${name}-${randomUUID()}`;
  const ids: Record<string, string> = {};

  async function addBox(deviceId: string, site: string, enrolledAt?: number) {
    const s = await Site.create({ customerId: customerId(), name: site });
    await Device.create({
      customerId: customerId(),
      siteId: s._id,
      deviceId,
      serialNumber: `SN-${deviceId}`,
      tokenHash: `unused-${deviceId}`,
    });
    if (enrolledAt !== undefined) await boxAt(deviceId, enrolledAt);
  }

  beforeAll(async () => {
    stack = await startTestStack('monthly-report', { worker: false });
    await ensureHealthIndexes();
    other = await seedOtherTenant();
    await boxAt(boxA(), F - 30 * day);
    await boxAt(other.deviceId, F - 30 * day);
    await addBox(boxB, 'Warehouse', F - 30 * day);
    // Enrolled after the month: not in its report.
    await addBox(boxLater, 'Back room');

    // Box A: day 3, 10:00-13:00 by the minute: 6 minutes without internet from 10:20, 3
    // without the router from 12:40. Day 5 healthy in whole hours. Day 10, 08:00-10:00 in
    // five-minute intervals, names failing throughout. The month's last minute healthy;
    // the minutes either side of the month failing.
    const minutes = Array.from({ length: 180 }, (_, i) =>
      interval(
        i,
        day3 + i * minute,
        60,
        i >= 20 && i < 26 ? ['internet'] : i >= 160 && i < 163 ? ['gateway', 'internet'] : [],
      ),
    );
    const hours = Array.from({ length: 24 }, (_, i) =>
      interval(1000 + i, F + 4 * day + i * hour, 3600),
    );
    const fives = Array.from({ length: 24 }, (_, i) =>
      interval(2000 + i, day10 + i * 5 * minute, 300, ['dns']),
    );
    const edges = [
      interval(3000, F - minute, 60, ['internet']),
      interval(3001, T - minute, 60),
      interval(3002, T, 60, ['internet']),
    ];
    // Every other hour of the month healthy, in hour-long intervals.
    const busy = new Set([day3, day3 + hour, day3 + 2 * hour, day10, day10 + hour, T - hour]);
    for (let h = 0; h < 24; h++) busy.add(F + 4 * day + h * hour);
    const rest = [];
    for (let h = F; h < T; h += hour) {
      if (!busy.has(h)) rest.push(interval(4000 + rest.length, h, 3600));
    }
    await storeHistory(boxA(), [...minutes, ...hours, ...fives, ...edges, ...rest]);
    // Another customer's box failing in the same hours.
    await storeHistory(
      other.deviceId,
      Array.from({ length: 60 }, (_, i) => interval(i, day3 + i * minute, 60, ['internet'])),
    );
    await compact();
    // Silent for 90 minutes on day 20; silent across the month's start (half an hour
    // inside it); silent for an hour the month before.
    await offlineOutage(boxA(), customerId(), F + 19 * day, F + 19 * day + 90 * minute);
    await offlineOutage(boxA(), customerId(), F - 30 * minute, F + 30 * minute);
    await offlineOutage(boxA(), customerId(), F - 2 * day, F - 2 * day + hour);

    const mine = { customerId: customerId(), deviceId: boxA() };
    for (const name of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'o1']) {
      ids[name] = caseId(name);
    }
    await insertCase({
      ...mine,
      id: ids.c1!,
      opened: day3 + 21 * minute,
      closed: day3 + 33 * minute,
      status: 'resolved',
      resolvedBy: 'automation',
      category: 'modem',
      actions: [{ action: 'power_cycle_modem', executed: true }],
      resolutionSeconds: 720,
    });
    await insertCase({
      ...mine,
      id: ids.c2!,
      opened: day10 + 5 * minute,
      closed: day10 + 105 * minute,
      status: 'resolved',
      resolvedBy: 'technician',
      category: 'dns',
      actions: [
        { action: 'flush_dns', executed: false },
        { action: 'router_set_dhcp_dns', executed: true },
      ],
      resolutionSeconds: 6000,
    });
    await insertCase({
      ...mine,
      id: ids.c3!,
      opened: F + 15 * day,
      closed: F + 15 * day + 3 * hour,
      status: 'not_fixable_remotely',
      resolvedBy: 'technician',
      category: 'isp',
    });
    // Opened the month before, resolved in this one.
    await insertCase({
      ...mine,
      id: ids.c4!,
      opened: F - 2 * day,
      closed: F + day + 10 * minute,
      status: 'resolved',
      resolvedBy: 'customer',
      category: 'gateway',
      actions: [{ action: 'power_cycle_router', executed: true }],
      resolutionSeconds: 3 * 86_400 + 600,
    });
    // Opened in its last hour, resolved in the next month.
    await insertCase({
      ...mine,
      id: ids.c5!,
      opened: T - hour,
      closed: T + day,
      status: 'resolved',
      resolvedBy: 'automation',
      category: 'wifi',
      resolutionSeconds: 90_000,
    });
    // Both in the next month; both in the month before.
    await insertCase({
      ...mine,
      id: ids.c6!,
      opened: T + hour,
      closed: T + 2 * hour,
      status: 'resolved',
      resolvedBy: 'automation',
      category: 'dhcp',
      resolutionSeconds: 3600,
    });
    await insertCase({
      ...mine,
      id: ids.c7!,
      opened: F - 10 * day,
      closed: F - 5 * day,
      status: 'resolved',
      resolvedBy: 'automation',
      category: 'dhcp',
      resolutionSeconds: 60,
    });
    await insertCase({
      ...mine,
      id: ids.c8!,
      opened: F + 20 * day,
      closed: F + 20 * day + 5 * minute,
      status: 'cancelled',
      category: 'unknown',
    });
    await insertCase({
      customerId: other.customerId,
      deviceId: other.deviceId,
      id: ids.o1!,
      opened: day3,
      closed: day3 + hour,
      status: 'resolved',
      resolvedBy: 'automation',
      category: 'packet-loss',
      actions: [{ action: 'failover_lte', executed: true }],
      resolutionSeconds: 3600,
    });
    await insertSatisfaction(ids.c1!, customerId(), 5);
    await insertSatisfaction(ids.c2!, customerId(), 3, 'Took a while, but fixed.');
    await insertSatisfaction(ids.c6!, customerId(), 1);
    await insertSatisfaction(ids.o1!, other.customerId, 1);

    report = (await gatherMonthlyReport(customerId(), key))!;
  }, 180_000);
  afterAll(() => stack.stop());

  it('gives each box its uptime, day by day, and its outages longest first, inside the month', () => {
    expect(report.month).toEqual({ key, label: monthLabel, from: iso(F), to: iso(T) });
    expect(report.boxes.map((b) => b.deviceId)).toEqual([boxA(), boxB]);
    const [a, b] = report.boxes;
    // Measured: 180 + 1440 + 120 + 1 minutes, and the 30 hours not among them in whole
    // hours; failing: 6 + 3 + 120.
    const measured = 1741 + 60 * ((T - F) / hour - 30);
    expect(a!.uptimePct).toBe(Math.round(((measured - 129) / measured) * 10_000) / 100);
    expect(a!.measuredPct).toBe(Math.round((measured / ((T - F) / minute)) * 1000) / 10);
    expect(a!.name).toBe('Main office');
    const daysInMonth = (T - F) / day;
    expect(a!.days).toHaveLength(daysInMonth);
    expect(a!.days[2]).toEqual({
      date: iso(F + 2 * day).slice(0, 10),
      // A whole day measured, 9 minutes of it failing.
      uptimePct: Math.round((1431 / 1440) * 10_000) / 100,
      failedMinutes: 9,
    });
    expect(a!.days[4]).toMatchObject({ uptimePct: 100, failedMinutes: 0 });
    expect(a!.days[9]).toMatchObject({
      uptimePct: Math.round((1320 / 1440) * 10_000) / 100,
      failedMinutes: 120,
    });
    expect(a!.days[daysInMonth - 1]).toMatchObject({ uptimePct: 100, failedMinutes: 0 });
    expect(a!.days[0]).toEqual({ date: iso(F).slice(0, 10), uptimePct: 100, failedMinutes: 0 });

    expect(a!.outages.map(({ kind, start, seconds }) => ({ kind, start, seconds }))).toEqual([
      { kind: 'dns', start: iso(day10), seconds: 7200 },
      { kind: 'offline', start: iso(F + 19 * day), seconds: 5400 },
      { kind: 'offline', start: iso(F - 30 * minute), seconds: 1800 },
      { kind: 'internet', start: iso(F + 2 * day + 10 * hour), seconds: 360 },
      { kind: 'gateway', start: iso(F + 2 * day + 12 * hour), seconds: 180 },
    ]);
    expect(a!.outages[4]!.failed.sort()).toEqual(['gateway', 'internet']);

    expect(b).toMatchObject({ name: 'Warehouse', measuredPct: 0, outages: [] });
    expect(b!.uptimePct).toBeUndefined();
  });

  it('lists the cases opened or closed in the month, what was fixed and how fast', () => {
    expect(report.cases.map((c) => c.caseId)).toEqual([
      ids.c4,
      ids.c1,
      ids.c2,
      ids.c3,
      ids.c8,
      ids.c5,
    ]);
    const byId = Object.fromEntries(report.cases.map((c) => [c.caseId, c]));
    expect(byId[ids.c1!]).toMatchObject({
      outcome: 'resolved',
      category: 'modem',
      fixes: ['power_cycle_modem'],
      resolutionSeconds: 720,
      satisfaction: { score: 5 },
    });
    // The fix proposed but not carried out is not among what was fixed.
    expect(byId[ids.c2!]).toMatchObject({
      fixes: ['router_set_dhcp_dns'],
      resolutionSeconds: 6000,
      satisfaction: { score: 3, comment: 'Took a while, but fixed.' },
    });
    expect(byId[ids.c3!]).toMatchObject({ outcome: 'not_fixable_remotely', category: 'isp' });
    expect(byId[ids.c3!]!.resolutionSeconds).toBeUndefined();
    expect(byId[ids.c4!]).toMatchObject({ outcome: 'resolved', resolutionSeconds: 259_800 });
    // Still open when the month ended.
    expect(byId[ids.c5!]!.outcome).toBeUndefined();
    expect(byId[ids.c5!]!.closedAt).toBeUndefined();
    expect(byId[ids.c5!]!.resolutionSeconds).toBeUndefined();

    expect(report.totals).toEqual({
      opened: 5,
      closed: 5,
      resolved: 3,
      resolvedAutomatically: 2,
      // The middle of 720, 6000 and 259800 seconds.
      mttrSeconds: 6000,
      satisfaction: { asked: 4, answered: 2, averageScore: 4 },
    });
  });

  it('keeps to the customer: another customer sees only their own month', async () => {
    const theirs = (await gatherMonthlyReport(other.customerId, key))!;
    expect(theirs.businessName).toBe('Harbor Bakery');
    expect(theirs.boxes.map((b) => b.deviceId)).toEqual([other.deviceId]);
    expect(theirs.boxes[0]!.uptimePct).toBe(0);
    expect(theirs.cases.map((c) => c.caseId)).toEqual([ids.o1]);
    expect(theirs.totals.satisfaction).toEqual({ asked: 1, answered: 1, averageScore: 1 });
    expect(await gatherMonthlyReport(`no-such-${randomUUID()}`, key)).toBeUndefined();
  });

  const internalNames = (part: string, forbidden: string[]) => {
    for (const word of forbidden) expect(part).not.toContain(word);
    // No identifiers of code (check ids, fix ids, statuses) and no UUIDs.
    expect(part).not.toMatch(/\b[a-z]+_[a-z_]+\b/);
    expect(part).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  };

  it('says it in an HTML email with inline styles only, and in plain text', () => {
    const { subject, html, text } = renderMonthlyEmail(report, { supportNumber: '+15550000100' });
    expect(subject).toBe(`Bayside Dental: your network in ${monthLabel}`);
    const forbidden = [
      boxA(),
      boxB,
      boxLater,
      customerId(),
      ...Object.values(ids),
      'Harbor Bakery',
      'Back room',
      'Flush the DNS cache',
      'Temporal',
      'Mongo',
      'automation',
      'packet-loss',
    ];
    for (const part of [html, text]) {
      expect(part).toContain('Bayside Dental');
      expect(part).toContain(monthLabel);
      expect(part).toContain('Main office');
      expect(part).toContain(`${report.boxes[0]!.uptimePct}% working`);
      expect(part).toContain('Warehouse');
      expect(part).toContain('No measurements this month');
      expect(part).toContain('Website names could not be looked up');
      expect(part).toContain('2 hours');
      expect(part).toContain('The Zen box could not be reached');
      expect(part).toContain('1 hour 30 minutes');
      expect(part).toContain('Your router stopped answering');
      expect(part).toContain('Power-cycle the modem through its smart plug');
      expect(part).toContain('Change the DNS servers the router hands out');
      expect(part).toContain('Power-cycle the router through its smart plug');
      expect(part).toContain('Modem not passing traffic');
      expect(part).toContain('Internet provider outage');
      expect(part).toContain('Needs a visit or your provider');
      expect(part).toContain('Fixed by a technician');
      expect(part).toContain('12 minutes');
      expect(part).toContain('Typical time to fix');
      expect(part).toContain('1 hour 40 minutes');
      expect(part).toContain('4 out of 5');
      expect(part).toContain('2 of 4 cases rated');
      expect(part).toContain('3 days');
      expect(part).toContain('+15550000100');
      internalNames(part, forbidden);
    }
    // Inline styles only, nothing fetched from elsewhere.
    expect(html).not.toMatch(/<style|<link|<script|<img|url\(|src=/i);
    // An uptime bar per box: a cell per day.
    expect(html.match(/<td title="/g)).toHaveLength(2 * ((T - F) / day));
  });

  it('escapes what people typed', () => {
    const hostile = { ...report, businessName: '<script>alert(1)</script> & Co' };
    const { html } = renderMonthlyEmail(hostile);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
  });
  async function preview(customer: string, month: string, token?: string) {
    const res = await fetch(`${stack.apiUrl}/api/customers/${customer}/reports/${month}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  }

  it('lets operators preview it as HTML; nobody else', async () => {
    const operator = stack.demo.operator.token;
    const shown = await preview(customerId(), key, operator);
    expect(shown.status).toBe(200);
    expect(shown.type).toMatch(/^text\/html/);
    expect(shown.body).toBe(renderMonthlyEmail(report, { supportNumber: '+15550000100' }).html);

    expect((await preview(customerId(), key, stack.demo.customer.token)).status).toBe(403);
    expect((await preview(customerId(), key, other.token)).status).toBe(403);
    expect((await preview(customerId(), key)).status).toBe(401);
  });

  it('refuses a month that is not one, or has not begun, and an unknown customer', async () => {
    const operator = stack.demo.operator.token;
    for (const month of ['2026-13', '2026-1', 'November', '2026-11-01', '0000-00']) {
      const res = await preview(customerId(), month, operator);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'INVALID_REPORT_REQUEST' });
    }
    const now = new Date();
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    const future = await preview(customerId(), next.toISOString().slice(0, 7), operator);
    expect(future.status).toBe(400);
    expect(future.body).toContain('has not begun');
    const unknown = await preview(`no-such-${randomUUID()}`, key, operator);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ code: 'CUSTOMER_NOT_FOUND' });
    // The month in progress: its figures so far.
    const current = await preview(customerId(), now.toISOString().slice(0, 7), operator);
    expect(current.status).toBe(200);
    expect(current.body).toContain('Bayside Dental');
  });
  describeInBrowser('in a browser', () => {
    it('renders without fetching anything (docs/monthly-report.png with SCREENSHOT_DOCS=1)', async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 760, height: 900 } });
        const fetched: string[] = [];
        page.on('request', (request) => fetched.push(request.url()));
        await page.setContent(renderMonthlyEmail(report, { supportNumber: '+15550000100' }).html);
        await page.getByText(`${report.boxes[0]!.uptimePct}% working`).waitFor();
        expect(fetched).toEqual([]);
        const dir =
          process.env.SCREENSHOT_DOCS === '1'
            ? (mkdirSync(DOCS, { recursive: true }), DOCS)
            : mkdtempSync(path.join(os.tmpdir(), 'zen-monthly-report-'));
        const file = path.join(dir, 'monthly-report.png');
        await page.screenshot({ path: file, fullPage: true });
        const png = readFileSync(file);
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        expect(png.length).toBeGreaterThan(20_000);
      } finally {
        await browser.close();
      }
    });
  });
});
