/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { io as connectSocket } from 'socket.io-client';
import type { SimulatedAgent } from '../../agent/simulatedAgent';
import type { SmtpSink } from '../../stand-ins/smtpSink';
import { Device } from '../../store/models';
import { connectDevice } from '../support/cases';
import { outboxMessages, readLatestCode } from '../support/mail';
import {
  describeInBrowser,
  signInThroughPortal,
  startPortalWorld,
  TEST_TEMPORAL_UI as TEMPORAL_UI,
  type PortalWorld,
  type TestPortal,
} from '../support/portal';
import { eventually, type TestStack } from '../support/stack';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';

// The built portal in Debian's chromium, against the real stack (API, worker, Temporal,
// FerretDB) with the simulated Zen box as the device: sign-in by emailed code, a case
// followed live to its approval and resolution, tenant isolation, the operator's queue,
// and sign-in with the keyboard alone.

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'portal');
const STEP_MS = 45_000;

/**
 * What a person with low vision or a screen reader meets on the page: text below
 * the WCAG AA contrast ratio (4.5:1, 3:1 for large text) against what is really
 * behind it, and form controls, buttons or links without a name.
 */
function accessibilityProblems(): string[] {
  const problems: string[] = [];
  const parse = (color: string) => {
    const parts = color
      .match(/rgba?\(([^)]+)\)/)?.[1]
      ?.split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number);
    return parts ? { rgb: parts.slice(0, 3), alpha: parts[3] ?? 1 } : undefined;
  };
  const background = (el: Element | null): number[] => {
    for (let e = el; e; e = e.parentElement) {
      const color = parse(getComputedStyle(e).backgroundColor);
      if (color && color.alpha > 0.99) return color.rgb;
    }
    return [255, 255, 255];
  };
  const luminance = (rgb: number[]) => {
    const [r, g, b] = rgb.map((c) => {
      const v = c / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const visible = (el: Element) => (el as HTMLElement).getClientRects().length > 0;
  for (const el of Array.from(document.body.querySelectorAll('*'))) {
    if (!visible(el)) continue;
    const text = Array.from(el.childNodes)
      .filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent ?? '')
      .join('')
      .trim();
    if (!text) continue;
    const style = getComputedStyle(el);
    const fg = parse(style.color);
    if (!fg) {
      problems.push(`unreadable colour ${style.color} on "${text.slice(0, 30)}"`);
      continue;
    }
    const bg = background(el);
    const shown = fg.rgb.map((c, i) => c * fg.alpha + bg[i]! * (1 - fg.alpha));
    const [hi, lo] = [luminance(shown), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi! + 0.05) / (lo! + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      problems.push(`contrast ${ratio.toFixed(2)}:1 for "${text.slice(0, 30)}"`);
    }
  }
  for (const el of Array.from(document.querySelectorAll('input, select, textarea'))) {
    const input = el as HTMLInputElement;
    if (input.type === 'hidden' || !visible(el)) continue;
    const named =
      (input.labels?.length ?? 0) > 0 ||
      input.getAttribute('aria-label') ||
      input.getAttribute('aria-labelledby');
    if (!named) problems.push(`no label for ${el.tagName.toLowerCase()}#${el.id || '?'}`);
  }
  for (const el of Array.from(document.querySelectorAll('button, a[href]'))) {
    if (!visible(el)) continue;
    if (!el.textContent?.trim() && !el.getAttribute('aria-label')) {
      problems.push(`no name for ${el.tagName.toLowerCase()} ${el.outerHTML.slice(0, 60)}`);
    }
  }
  return problems;
}

describeInBrowser('the portal in a real browser', () => {
  let stack: TestStack;
  let sink: SmtpSink;
  let portal: TestPortal;
  let browser: Browser;
  let other: OtherTenant;
  let agent: SimulatedAgent;
  let customer: BrowserContext;
  let caseId: string;

  let world: PortalWorld;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // An unreachable box's case guides the customer after a second and a half, not two minutes.
    world = await startPortalWorld('browser', { caseSettings: { reconnectGraceMs: 1500 } });
    ({ stack, sink, portal, browser } = world);
    other = await seedOtherTenant();
    // A hung router: a remote fix (its power cycle) resolves it for the whole office.
    agent = connectDevice(stack, 'gateway-unreachable');
    customer = await world.context();
  }, 240_000);

  afterAll(async () => {
    agent?.stop();
    await world?.stop();
  });

  async function shot(page: Page, name: string) {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  function codesSent(email: string) {
    return outboxMessages(sink.outbox).filter((m) => m.includes(`To: ${email}`)).length;
  }

  const signIn = (page: Page, email: string) => signInThroughPortal(page, sink, email);

  it('a customer signs in by emailed code, follows a case live, approves the fix and sees it resolve', async () => {
    const page = await customer.newPage();
    await signIn(page, stack.demo.customer.email);
    await page.waitForURL('**/dashboard');
    // The session is an httpOnly cookie: the page's scripts cannot read it.
    const cookies = await customer.cookies();
    expect(cookies.find((c) => c.name === 'zen_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
    });
    expect(await page.evaluate(() => document.cookie)).not.toContain('zen_session');

    const device = page.getByTestId('device').filter({ hasText: stack.demo.device.deviceId });
    await device.getByText('Online').waitFor({ timeout: STEP_MS });
    await shot(page, '1-dashboard');

    await device.getByRole('button', { name: /Get help/ }).click();
    await device.getByLabel('What is wrong?').fill('Websites will not load');
    await device.getByRole('button', { name: 'Start a case' }).click();
    await page.waitForURL('**/cases/*');
    caseId = page.url().split('/cases/')[1]!;
    await page.getByText('Live updates on').waitFor();
    // A mark on the window: if the page reloaded, it would be gone.
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

    const approval = page.getByTestId('approval');
    await approval.waitFor({ timeout: STEP_MS });
    await expect(page.getByTestId('case-status').textContent()).resolves.toContain(
      'Waiting for your approval',
    );
    // The diagnostics as a person reads them: pass/fail per check and the charts.
    const checks = page.getByTestId('checks');
    await expect(checks.getByText('Router', { exact: true }).count()).resolves.toBe(1);
    await expect(checks.locator('li.fail').count()).resolves.toBeGreaterThan(0);
    await expect(checks.locator('li.pass').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('figure.chart svg').count()).resolves.toBeGreaterThan(0);
    // The router that does not answer stays in the response-time chart, as a failed bar with
    // words, named for what it is; no check is named by its id.
    const latency = page.getByTestId('chart').filter({ hasText: 'Response time' });
    const router = latency.locator('tr').filter({ hasText: 'Your router (192.168.1.1)' });
    await expect(router.textContent()).resolves.toContain('no answer');
    await expect(latency.locator('g[data-failed="true"]').count()).resolves.toBeGreaterThan(0);
    await expect(latency.locator('svg').textContent()).resolves.toContain('no answer');
    await expect(checks.textContent()).resolves.not.toMatch(/\b[a-z]+_[a-z_]+\b/);
    await expect(page.getByTestId('case-step').textContent()).resolves.not.toMatch(
      /\b[a-z]+_[a-z_]+\b|Round \d/,
    );
    await expect(page.getByTestId('diagnosis').textContent()).resolves.toMatch(/router/i);
    await shot(page, '2-awaiting-approval');

    await approval.getByLabel('Note (optional)').fill('Go ahead, we are closed for lunch');
    await approval.getByRole('button', { name: 'Approve' }).click();
    const carrying = page.getByText(/Approved\. The Zen box is carrying it out/);
    await carrying.waitFor();
    await page
      .getByTestId('case-status')
      .filter({ hasText: 'Resolved' })
      .waitFor({ timeout: STEP_MS });
    // Resolved, the page says so first and says nothing that contradicts it: the banner of
    // the running fix is gone, and the fault is what was wrong, not what is going on.
    await carrying.waitFor({ state: 'detached' });
    const outcome = page.getByTestId('outcome');
    await expect(outcome.getByRole('heading').textContent()).resolves.toMatch(
      /^Resolved: your network works again$/,
    );
    await expect(outcome.textContent()).resolves.toMatch(/Resolved in \d+ minutes?\./);
    const firstPanel = await page.evaluate(
      () => document.querySelector('main .case-head ~ section, main .case-head ~ p')?.textContent,
    );
    expect(firstPanel).toContain('Resolved: your network works again');
    await expect(page.getByRole('heading', { name: 'What is going on' }).count()).resolves.toBe(0);
    await page.getByRole('heading', { name: 'What was wrong' }).waitFor();
    await expect(page.getByTestId('case-step').count()).resolves.toBe(0);
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(
      true,
    );
    // The audit trail shows the approval, made by the customer through the portal.
    const approvedRow = page.getByTestId('audit').locator('tr').filter({ hasText: '(approved)' });
    await approvedRow.first().waitFor();
    // Who by name (the demo customer gave none: their e-mail), with their note.
    await expect(approvedRow.first().textContent()).resolves.toContain(stack.demo.customer.email);
    await expect(approvedRow.first().textContent()).resolves.toContain(
      'Go ahead, we are closed for lunch',
    );
    await expect(approvedRow.first().textContent()).resolves.toContain('Portal');
    await expect(page.getByTestId('timeline').textContent()).resolves.toContain('Fixed');
    await shot(page, '3-resolved');

    // The same page on a phone: nothing wider than the screen.
    await page.setViewportSize({ width: 375, height: 812 });
    // Nothing makes the page scroll sideways; if something does, the failure names it.
    const { overflow, sticking } = await page.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      sticking: Array.from(document.querySelectorAll('body *'))
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map((e) => `${e.tagName.toLowerCase()}.${e.getAttribute('class') ?? ''}`)
        .slice(0, 5),
    }));
    expect(overflow > 0 ? sticking : []).toEqual([]);
    await shot(page, '4-resolved-phone');
    await page.close();
  }, 180_000);

  it('the dashboard says when a box is on its own LTE backup, its data used, and what it does once that is used up', async () => {
    const box = connectSocket(`${stack.apiUrl}/device`, {
      auth: { token: other.deviceToken },
      transports: ['websocket'],
    });
    const month = new Date().toISOString().slice(0, 7);
    const beat = async (heartbeat: Record<string, unknown>) =>
      expect(await box.timeout(10_000).emitWithAck('heartbeat', heartbeat)).toEqual({ ok: true });
    const context = await browser.newContext({ baseURL: portal.url });
    try {
      await beat({
        led: 'idle_lte',
        cloudPath: 'lte',
        lteData: { month, bytes: 12_300_000, budgetBytes: 500_000_000, exhausted: false },
      });
      const page = await context.newPage();
      await signIn(page, other.email);
      await page.waitForURL('**/dashboard');
      const card = page.getByTestId('device').filter({ hasText: other.deviceId });
      await card
        .getByText(
          /^Connected over its own LTE backup \(since .+\) — your office network cannot reach us$/,
        )
        .waitFor({ timeout: STEP_MS });
      await expect(card.getByTestId('lte-usage').textContent()).resolves.toBe('12.3 MB of 500 MB');
      const bar = card.getByRole('progressbar', { name: 'LTE data used this month' });
      expect(await bar.getAttribute('aria-valuenow')).toBe('2');
      expect(await card.getByTestId('lte-budget-warning').count()).toBe(0);
      await card.getByText('Cyan: all is well, on its LTE backup').waitFor();
      expect(await page.evaluate(accessibilityProblems)).toEqual([]);
      await shot(page, '10-dashboard-lte');
      await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

      // The budget runs out: the page says what the box does now, without a reload.
      await beat({
        led: 'idle_lte',
        cloudPath: 'lte',
        lteData: { month, bytes: 500_000_000, budgetBytes: 500_000_000, exhausted: true },
      });
      await card
        .getByTestId('lte-budget-warning')
        .filter({ hasText: /minimal link.*Fixes still work/ })
        .waitFor({ timeout: STEP_MS });
      expect(await bar.getAttribute('aria-valuenow')).toBe('100');
      expect(await page.evaluate(accessibilityProblems)).toEqual([]);
      await shot(page, '11-dashboard-lte-used-up');

      // The office network is back.
      await beat({
        led: 'idle',
        cloudPath: 'wired',
        lteData: { month, bytes: 500_000_000, budgetBytes: 500_000_000, exhausted: true },
      });
      await card.getByText('Connected over the office network').waitFor({ timeout: STEP_MS });
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(
        true,
      );
    } finally {
      box.close();
      await context.close();
    }
  }, 180_000);

  it('a 401 makes the portal refresh the session once and retry', async () => {
    const page = await customer.newPage();
    const before = (await customer.cookies()).find((c) => c.name === 'zen_session')!.value;
    // The API refuses the first devices request, as it will once access tokens expire.
    let refused = 0;
    await page.route('**/api/devices', async (route) => {
      if (refused++ > 0) return route.continue();
      await route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'expired', code: 'UNAUTHENTICATED' }),
      });
    });
    const refreshed = page.waitForResponse('**/api/auth/refresh');
    await page.goto('/dashboard');
    expect((await refreshed).status()).toBe(200);
    await page.getByTestId('device').first().waitFor();
    expect(refused).toBe(2);
    expect(page.url()).toMatch(/\/dashboard$/);
    // The refresh rotated the session cookie.
    const after = (await customer.cookies()).find((c) => c.name === 'zen_session')!.value;
    expect(after).not.toBe(before);
    await page.close();
  });

  it('a customer cannot see another customer’s case, in the portal or through its API', async () => {
    const page = await customer.newPage();
    await page.goto(`/cases/${other.caseId}`);
    await page.getByText('There is no such case, or it is not yours.').waitFor();
    expect(await page.getByText('Card terminal offline').count()).toBe(0);
    // The page's own origin, with the page's cookie.
    const direct = await page.request.get(`/api/cases/${other.caseId}`);
    expect(direct.status()).toBe(404);
    const listed = await page.request.get(`/api/cases?customerId=${other.customerId}`);
    expect((await listed.json()).cases).toEqual([]);

    await page.goto('/cases');
    await page.getByTestId('case-list').waitFor();
    const text = await page.getByTestId('case-list').textContent();
    expect(text).toContain('Websites will not load');
    expect(text).not.toContain('Card terminal offline');
    await shot(page, '5-customer-cases');
    await page.close();
  });

  it('an operator sees the escalation queue, every customer’s cases and the Temporal UI links', async () => {
    const context = await browser.newContext({ baseURL: portal.url });
    const page = await context.newPage();
    await signIn(page, stack.demo.operator.email);
    await page.waitForURL('**/operator');
    const queue = page.getByTestId('escalation-queue');
    const escalated = queue.locator('article').filter({ hasText: 'Card terminal offline' });
    await escalated.waitFor();
    await expect(escalated.textContent()).resolves.toContain('Harbor Bakery');
    expect(await escalated.getByTestId('temporal-link').getAttribute('href')).toBe(
      `${TEMPORAL_UI}/namespaces/zen/workflows/support-case-${other.deviceId}`,
    );
    await shot(page, '6-operator-queue');

    // All cases of every customer, then filtered down to one customer.
    await page.goto('/cases');
    const list = page.getByTestId('case-list');
    const bakery = list.locator('article').filter({ hasText: 'Card terminal offline' });
    await bakery.waitFor();
    await page.getByLabel('Customer').selectOption({ label: 'Bayside Dental' });
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/customerId=/);
    await bakery.waitFor({ state: 'detached' });
    await list.getByRole('link', { name: 'Websites will not load', exact: true }).waitFor();

    // The resolved case links to its own workflow run.
    await page.goto(`/cases/${caseId}`);
    const link = page.getByTestId('temporal-link');
    await link.waitFor();
    expect(await link.getAttribute('href')).toMatch(
      new RegExp(
        `^${TEMPORAL_UI}/namespaces/zen/workflows/support-case-${stack.demo.device.deviceId}/[\\w-]+/history$`,
      ),
    );
    await shot(page, '7-operator-case');
    await context.close();
  });

  it('signing in works with the keyboard alone, with a visible focus ring', async () => {
    const context = await browser.newContext({ baseURL: portal.url });
    const page = await context.newPage();
    const email = stack.demo.customer.email;
    const seen = codesSent(email);
    await page.goto('/');
    // Keys pressed before the page's scripts run would go to a page about to be replaced.
    await page.waitForLoadState('networkidle');
    // The first Tab reaches the skip link; it is visible when focused.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(
      'Skip to main content',
    );
    // Tab along the header to the "Sign in" link and follow it.
    let focused: string | undefined;
    for (let i = 0; i < 10; i++) {
      focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
      if (focused === 'Sign in') break;
      await page.keyboard.press('Tab');
    }
    expect(focused).toBe('Sign in');
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement!);
      return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    expect(outline.style).not.toBe('none');
    expect(outline.width).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/login');

    // The email field has focus on arrival; Enter submits; focus moves to the code field.
    await page.getByLabel('Email address').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'email');
    await page.keyboard.type(email);
    await page.keyboard.press('Enter');
    const code = await readLatestCode(sink.outbox, email, seen);
    await page.waitForFunction(() => document.activeElement?.id === 'code');
    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/dashboard');
    await shot(page, '8-keyboard-signed-in');

    // And out again, by keyboard.
    await page.getByRole('button', { name: 'Sign out' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL('**/login');
    const after = await page.request.get('/api/auth/session');
    expect(after.status()).toBe(401);
    await context.close();
  });
  it('an operator takes an open case over from its page', async () => {
    // A fresh case on the demo box (its network broken again), waiting for the customer.
    agent.stop();
    agent = connectDevice(stack, 'dns-failure');
    const opened = await fetch(`${stack.apiUrl}/api/cases`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${stack.demo.customer.token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ deviceId: stack.demo.device.deviceId, description: 'Slow again' }),
    });
    const { caseId: openId, workflowId } = (await opened.json()) as {
      caseId: string;
      workflowId: string;
    };
    const context = await browser.newContext({ baseURL: portal.url });
    const page = await context.newPage();
    await signIn(page, stack.demo.operator.email);
    await page.waitForURL('**/operator');
    await page.goto(`/cases/${openId}`);
    await page
      .getByTestId('case-status')
      .filter({ hasText: /Waiting/ })
      .waitFor({ timeout: STEP_MS });
    await page.getByRole('button', { name: 'Take over this case' }).click();
    // The operator's name, never an id, and no second "Take over" on offer.
    await expect(
      page
        .getByTestId('taken-over-by')
        .filter({ hasText: /Taken over by/ })
        .textContent({ timeout: STEP_MS }),
    ).resolves.not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    await expect(page.getByRole('button', { name: 'Take over this case' }).count()).resolves.toBe(
      0,
    );
    await shot(page, '9-operator-took-over');
    const res = await page.request.get(`/api/cases/${openId}`);
    expect((await res.json()).live.assignedOperator).toBeTruthy();
    // Leave the box free for nothing else: close the case as the operator.
    const closed = await page.request.post(`/api/cases/${openId}/close`, {
      data: { reason: 'Handled by phone' },
    });
    expect(closed.status()).toBe(202);
    // The workflow, not only the request: a case still recording its close would be
    // joined by the next test's report.
    await expect(stack.client.workflow.getHandle(workflowId).result()).resolves.toMatchObject({
      status: 'cancelled',
    });
    await context.close();
  });

  it('a customer whose Zen box cannot reach us sees what to do, step by step, until it is back', async () => {
    agent.stop();
    await eventually(
      async () =>
        (await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean())?.status ===
        'offline',
      { what: 'the demo box to be offline' },
    );
    // The card: offline, its light unknown (not the "all is well" it last showed), what to check.
    const page = await customer.newPage();
    await page.goto('/dashboard');
    const card = page.getByTestId('device').filter({ hasText: stack.demo.device.deviceId });
    await card.locator('.state').filter({ hasText: 'Offline' }).waitFor({ timeout: STEP_MS });
    await expect(card.getByTestId('light').textContent()).resolves.toMatch(
      /^\s*Unknown: the box is offline\s*$/,
    );
    await card.getByTestId('offline-help').waitFor();
    // "Get help" warns that the box cannot check, and still opens the case.
    await card.getByRole('button', { name: /Get help/ }).click();
    await expect(card.getByTestId('offline-warning').textContent()).resolves.toMatch(
      /Your Zen box is offline, so it cannot check your network; we will still open the case and guide you/,
    );
    await card.getByLabel('What is wrong? (optional)').fill('No internet');
    await card.getByRole('button', { name: 'Start a case' }).click();
    await page.waitForURL('**/cases/*');
    // While the box is away the case does not claim to be checking the network.
    const badge = page.getByTestId('case-status');
    await badge.filter({ hasText: 'Zen box cannot be reached' }).waitFor({ timeout: STEP_MS });
    const panel = page.getByTestId('manual-step');
    // Said at once: what to check now; after the grace, the step for the likely cause.
    await panel.waitFor({ timeout: STEP_MS });
    await panel
      .getByRole('heading', { name: 'Restart your modem, then your router' })
      .waitFor({ timeout: STEP_MS });
    await expect(panel.locator('ol li').first().textContent()).resolves.toMatch(
      /^Unplug the power cable of the modem/,
    );
    await expect(panel.locator('ol li').count()).resolves.toBe(5);
    await expect(badge.textContent()).resolves.not.toContain('Checking your network');
    await shot(page, '10-manual-step');
    // The customer did it: the box is back, the case verifies and closes, the steps go.
    agent = connectDevice(stack, 'healthy');
    await page
      .getByTestId('case-status')
      .filter({ hasText: 'Resolved' })
      .waitFor({ timeout: STEP_MS });
    await expect(panel.count()).resolves.toBe(0);
    await expect(page.getByTestId('timeline').textContent()).resolves.toContain(
      'Fixed by your step',
    );
    await page.close();
    agent.stop();
    agent = connectDevice(stack, 'dns-failure');
  });

  it('every page has readable contrast and named controls, for customers and operators', async () => {
    const anonymous = await browser.newContext({ baseURL: portal.url });
    const operator = await browser.newContext({ baseURL: portal.url });
    const operatorPage = await operator.newPage();
    await signIn(operatorPage, stack.demo.operator.email);
    await operatorPage.waitForURL('**/operator');
    const visits: Array<[BrowserContext, string, string]> = [
      [anonymous, '/', 'the front page'],
      [anonymous, '/login', 'sign-in'],
      [customer, '/dashboard', 'the dashboard'],
      [customer, '/cases', "the customer's cases"],
      [customer, `/cases/${caseId}`, 'a resolved case'],
      [operator, '/operator', 'the escalation queue'],
      [operator, '/cases', 'all cases'],
      [operator, `/cases/${other.caseId}`, 'an escalated case'],
    ];
    const found: string[] = [];
    for (const [context, url, name] of visits) {
      const page = await context.newPage();
      await page.goto(url);
      await page.locator('main').waitFor();
      // Client-rendered pages fill in after their data arrives.
      await page.waitForLoadState('networkidle');
      for (const problem of await page.evaluate(accessibilityProblems)) {
        found.push(`${name}: ${problem}`);
      }
      await page.close();
    }
    expect(found).toEqual([]);

    // The check itself sees faint text and an unlabelled field when there are some.
    const probe = await anonymous.newPage();
    await probe.goto('/');
    // After hydration, which would otherwise replace what is added here.
    await probe.waitForLoadState('networkidle');
    await probe.evaluate(() => {
      document
        .querySelector('main')!
        .insertAdjacentHTML(
          'beforeend',
          '<p style="color:#bbb;background:#fff">faint words</p><input id="nameless">',
        );
    });
    const seen = await probe.evaluate(accessibilityProblems);
    expect(seen).toEqual([
      expect.stringMatching(/^contrast 1\.\d+:1 for "faint words"/),
      'no label for input#nameless',
    ]);
    await anonymous.close();
    await operator.close();
  });
});
