/// <reference lib="dom" />
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { MonitorInterval, MonitorState } from '../../contracts/monitor';
import { Device } from '../../store/models';
import { describeInBrowser, startPortalWorld, type PortalWorld } from '../support/portal';
import { eventually, type TestStack } from '../support/stack';

// A Zen box's health page in Debian's chromium against the real stack. The history is
// seeded the way a box fills it: over the real /device socket, heartbeats whose monitor
// intervals hold known minutes (40 minutes, the internet down in 17 of them). The page must
// show them as the uptime bar, the delay and loss charts, the uptime figure and the outage
// in words, and follow the box's state live. Set SCREENSHOT_DOCS=1 to save the page as
// docs/box-health.png for the README.

const STEP_MS = 45_000;
const MINUTE = 60_000;
const DOCS = path.resolve(__dirname, '..', '..', 'docs');

/** The minutes the box reports: 0–9 fine, 10–26 the internet down, 27–39 fine again. */
const MEASURED = 40;
const DOWN_FROM = 10;
const DOWN_TO = 27;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function interval(seq: number, start: number): MonitorInterval {
  const down = seq >= DOWN_FROM && seq < DOWN_TO;
  return {
    seq,
    start: iso(start),
    seconds: 60,
    gateway: { sent: 3, lost: 0, p50Ms: 1, p95Ms: 2 },
    dns: { sent: 1, lost: 0, p50Ms: 6, p95Ms: 6 },
    // Minute 5 had one slow answer: the slowest 5 % of that minute took 300 ms.
    internet: down
      ? { sent: 3, lost: 3 }
      : { sent: 3, lost: 0, p50Ms: 20, p95Ms: seq === 5 ? 300 : 30 },
    failed: down ? ['internet'] : [],
    path: 'wired',
  };
}

/** "02:14", as the page shows a time in the browser's zone (the same machine's). */
function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

/** "6 Dec", as the page names a day. */
function dayOf(ms: number): string {
  return new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
}

/** A time as the page says it: with its day when that was not today (a run near midnight). */
function when(ms: number): string {
  return dayOf(ms) === dayOf(Date.now()) ? clock(ms) : `${dayOf(ms)} ${clock(ms)}`;
}

describeInBrowser("a Zen box's health page", () => {
  let world: PortalWorld;
  let stack: TestStack;
  let customer: BrowserContext;
  let box: Socket;
  /** The first reported minute. */
  let t0: number;

  async function beat(state: MonitorState, intervals: MonitorInterval[]) {
    const ack = (await box.timeout(10_000).emitWithAck('heartbeat', {
      led: 'idle',
      cloudPath: 'wired',
      monitor: { state, intervals },
    })) as {
      ok: boolean;
      monitorSeq?: number;
    };
    expect(ack).toMatchObject({ ok: true, monitorSeq: intervals.at(-1)?.seq });
  }

  beforeAll(async () => {
    world = await startPortalWorld('box-health', { worker: false });
    stack = world.stack;
    customer = await world.context(stack.demo.customer.email);

    box = connectSocket(`${stack.apiUrl}/device`, {
      auth: { token: stack.demo.device.token },
      transports: ['websocket'],
    });
    await eventually(
      async () =>
        (await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean())?.status ===
        'online',
      { what: 'the box to be online' },
    );
    t0 = Math.floor(Date.now() / MINUTE) * MINUTE - (MEASURED + 2) * MINUTE;
    const at = (seq: number) => t0 + seq * MINUTE;
    const minutes = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => interval(from + i, at(from + i)));
    // As the box's monitor reports them: healthy, a confirmed fault, recovered.
    await beat({ state: 'healthy', failing: [], since: iso(at(0)) }, minutes(0, DOWN_FROM));
    await beat(
      { state: 'fault', failing: ['internet'], since: iso(at(DOWN_FROM)) },
      minutes(DOWN_FROM, DOWN_TO),
    );
    await beat(
      { state: 'healthy', failing: [], since: iso(at(DOWN_TO)) },
      minutes(DOWN_TO, MEASURED),
    );
    // The cloud acts on each change in order: the fault's case cannot open without a worker,
    // so the recovery is stored once opening it has given up. The recovery's own verdict is
    // waited for: the first one is healthy too, and stays stored until the fault is acted on.
    await eventually(
      async () => {
        const stored = (await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean())
          ?.monitorState as MonitorState | undefined;
        return stored?.state === 'healthy' && stored.since === iso(at(DOWN_TO));
      },
      { what: 'the recovery stored', timeoutMs: 60_000 },
    );
  }, 240_000);

  afterAll(async () => {
    box?.close();
    await world?.stop();
  });

  async function openHealthPage(): Promise<Page> {
    const page = await customer.newPage();
    await page.goto('/dashboard');
    const card = page.getByTestId('device').filter({ hasText: stack.demo.device.deviceId });
    await card.getByRole('link', { name: /Health and history/ }).click();
    await page.waitForURL(`**/devices/${stack.demo.device.deviceId}`);
    await page.getByTestId('health-now').waitFor({ timeout: STEP_MS });
    return page;
  }

  it('shows the reported minutes: state, uptime, the bar, delay and loss, and the outage in words', async () => {
    const page = await openHealthPage();
    await expect(page.getByTestId('health-state').textContent()).resolves.toContain(
      'Online, over the office network',
    );
    await expect(page.getByTestId('health-monitor').textContent()).resolves.toMatch(
      /^\s*Everything it checks answers/,
    );
    // 23 of 40 measured minutes without a failure.
    await expect(page.getByTestId('uptime-day').textContent()).resolves.toBe('57.5 %');

    const bar = page.getByTestId('uptime-bar');
    const failedMinutes = await bar
      .locator('rect')
      .evaluateAll((rects) =>
        rects.reduce((sum, r) => sum + Number(r.getAttribute('data-failed-minutes') ?? 0), 0),
      );
    expect(failedMinutes).toBe(DOWN_TO - DOWN_FROM);
    expect(await bar.locator('rect').count()).toBeGreaterThanOrEqual(24);
    await expect(bar.getByTestId('uptime-text').textContent()).resolves.toMatch(
      /minutes with failures \(the internet\)/,
    );

    const summaries = await page.getByTestId('chart-summary').allTextContents();
    expect(summaries[0]).toContain('Typical delay to the internet: 20 ms.');
    expect(summaries[0]).toContain(`Slowest: 300 ms at`);
    expect(summaries[0]).toContain(clock(t0 + 5 * MINUTE));
    expect(summaries[1]).toMatch(/^Traffic was lost in 17 minutes; the worst, 100 %/);

    const [from, to] = [t0 + DOWN_FROM * MINUTE, t0 + DOWN_TO * MINUTE];
    const outage = page.getByTestId('outage');
    await expect(outage.allTextContents()).resolves.toEqual([
      `Internet down, ${when(from)}–${dayOf(to) === dayOf(from) ? clock(to) : when(to)}, 17 min`,
    ]);

    // A week, hourly: one segment per hour.
    await page.getByRole('button', { name: '7 days' }).click();
    await page.waitForURL('**range=7d');
    await eventually(async () => (await bar.locator('rect').count()) >= 168, {
      what: 'an hourly bar over 7 days',
    });
    expect(
      await bar
        .locator('rect')
        .evaluateAll((rects) =>
          rects.reduce((sum, r) => sum + Number(r.getAttribute('data-failed-minutes') ?? 0), 0),
        ),
    ).toBe(DOWN_TO - DOWN_FROM);
    await expect(
      page.getByRole('button', { name: '7 days' }).getAttribute('aria-pressed'),
    ).resolves.toBe('true');
    await page.close();
  });

  it('follows the box live: a new fault, then the box going away, without a reload', async () => {
    const page = await openHealthPage();
    await page.getByText('Live updates on').waitFor({ timeout: STEP_MS });
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));

    const now = Math.floor(Date.now() / MINUTE) * MINUTE;
    await beat({ state: 'fault', failing: ['internet', 'dns'], since: iso(now - MINUTE) }, [
      { ...interval(MEASURED, now - MINUTE), failed: ['internet', 'dns'] },
    ]);
    await page
      .getByTestId('health-monitor')
      .getByText(/Not working: the internet and name lookups/)
      .waitFor({ timeout: STEP_MS });

    box.disconnect();
    await page
      .getByTestId('health-state')
      .getByText('Offline: the Zen box cannot be reached')
      .waitFor({ timeout: STEP_MS });
    // The same page all along.
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    box.connect();
    await eventually(async () => box.connected, { what: 'the box to reconnect' });
    await page.close();
  });

  it('saves a picture of the page (docs/box-health.png with SCREENSHOT_DOCS=1)', async () => {
    const page = await openHealthPage();
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.getByTestId('outage').first().waitFor({ timeout: STEP_MS });
    await page.waitForLoadState('networkidle');
    const dir =
      process.env.SCREENSHOT_DOCS === '1'
        ? (mkdirSync(DOCS, { recursive: true }), DOCS)
        : mkdtempSync(path.join(os.tmpdir(), 'zen-box-health-'));
    const file = path.join(dir, 'box-health.png');
    await page.screenshot({ path: file, fullPage: true });
    const png = readFileSync(file);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
    await page.close();
  });
});
