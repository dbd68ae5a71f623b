/// <reference lib="dom" />
import type { Browser, BrowserContext } from 'playwright-core';
import type { SimulatedAgent } from '../../agent/simulatedAgent';
import type { SmtpSink } from '../../stand-ins/smtpSink';
import { unseal } from '../../privacy/seal';
import { Case } from '../../store/models';
import { connectDevice } from '../support/cases';
import {
  describeInBrowser,
  signInThroughPortal,
  startPortalWorld,
  TEST_TEMPORAL_UI as TEMPORAL_UI,
  type PortalWorld,
  type TestPortal,
} from '../support/portal';
import { call, type TestStack } from '../support/stack';

// The portal's pages beyond the happy path, in Debian's chromium against the real stack:
// long descriptions, pages that do not exist, and the public status page.

const STEP_MS = 45_000;

describeInBrowser('the portal with long text, missing pages and its public status', () => {
  let stack: TestStack;
  let sink: SmtpSink;
  let portal: TestPortal;
  let browser: Browser;
  let agent: SimulatedAgent;
  let customer: BrowserContext;

  let world: PortalWorld;

  beforeAll(async () => {
    world = await startPortalWorld('pages');
    ({ stack, sink, portal, browser } = world);
    agent = connectDevice(stack, 'healthy');
    customer = await world.context(stack.demo.customer.email);
  }, 240_000);

  afterAll(async () => {
    agent?.stop();
    await world?.stop();
  });

  it('a 2,000-character description: the box counts and says when it is full; headings and links show a short title', async () => {
    const page = await customer.newPage();
    await page.goto('/dashboard');
    const card = page.getByTestId('device').filter({ hasText: stack.demo.device.deviceId });
    await card.getByRole('button', { name: /Get help/ }).click();
    const box = card.getByLabel('What is wrong? (optional)');
    const count = card.getByTestId('char-count');
    await box.fill('x'.repeat(1850));
    await expect(count.textContent()).resolves.toMatch(/^\s*1,850 \/ 2,000 characters\s*$/);
    await expect(card.getByTestId('char-limit').count()).resolves.toBe(0);
    // The counter is what a screen reader hears with the field.
    expect(await box.getAttribute('aria-describedby')).toBe(await count.getAttribute('id'));

    const first = 'The printer, the card terminal and every laptop lost the internet at nine';
    const long = `${first} this morning ${'and nothing we tried has brought it back '.repeat(60)}`;
    await box.fill(long.slice(0, 1995));
    await box.focus();
    await page.keyboard.press('End');
    await page.keyboard.type('0123456789');
    const kept = await box.inputValue();
    expect(kept).toHaveLength(2000);
    await expect(count.textContent()).resolves.toMatch(/2,000 \/ 2,000/);
    await expect(card.getByTestId('char-limit').textContent()).resolves.toMatch(
      /most we can take \(2,000 characters\)/,
    );

    await card.getByRole('button', { name: 'Start a case' }).click();
    await page.waitForURL('**/cases/*');
    const caseId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const heading = page.getByRole('heading', { level: 1 });
    await heading.waitFor({ timeout: STEP_MS });
    const title = (await heading.textContent())!.trim();
    expect(title.length).toBeLessThanOrEqual(81);
    expect(title.endsWith('…')).toBe(true);
    expect(title.startsWith(first)).toBe(true);
    // The full text is below the heading, and the tab's title is short too.
    await expect(page.getByTestId('description').textContent()).resolves.toContain(kept);
    expect((await page.title()).length).toBeLessThan(130);

    await page.goto('/cases');
    const link = page.getByTestId('case-list').getByRole('link', { name: title, exact: true });
    await link.waitFor();
    await expect(link.textContent()).resolves.toHaveLength(title.length);
    await page.close();
    // The box has one case at a time: the next test's case must not join this one.
    const stored = await Case.findById(caseId).lean();
    await stack.client.workflow.getHandle(stored!.workflowId).result();
  });

  it('a resolved case: "It is still not working", with the customer’s words, opens a follow-up a person has', async () => {
    const opened = await call(`${stack.apiUrl}/api/cases`, stack.demo.customer.token, {
      body: { deviceId: stack.demo.device.deviceId, description: 'Please check our network' },
    });
    expect(opened.body).toMatchObject({ joined: false });
    const { caseId, workflowId } = opened.body as { caseId: string; workflowId: string };
    await expect(stack.client.workflow.getHandle(workflowId).result()).resolves.toMatchObject({
      caseId,
      status: 'resolved',
    });

    const page = await customer.newPage();
    await page.goto(`/cases/${caseId}`);
    const panel = page.getByTestId('still-broken');
    await panel.getByRole('button', { name: 'It is still not working' }).click();
    // The same text box as everywhere: its count in view.
    const box = panel.getByLabel('What is still not working? (optional)');
    await box.fill('The card terminal still cannot connect');
    await expect(panel.getByTestId('char-count').textContent()).resolves.toMatch(/38 \/ 2,000/);
    await panel.getByRole('button', { name: 'Send to a technician' }).click();
    const link = panel.getByTestId('follow-up-link');
    await link.waitFor({ timeout: STEP_MS });

    const followUp = await Case.findOne({ followUpOf: caseId }).lean();
    expect(followUp?.assignedOperator).toBeTruthy();
    // The customer's words, stored sealed under their key (privacy/).
    const reports = (followUp?.reports ?? []) as { words: string }[];
    expect(await Promise.all(reports.map((r) => unseal(r.words)))).toEqual([
      'The card terminal still cannot connect',
    ]);
    expect(await link.getAttribute('href')).toBe(`/cases/${followUp!._id}`);
    await link.click();
    await page.waitForURL(`**/cases/${followUp!._id}`);
    // The follow-up is headed by the customer's words.
    await page
      .getByRole('heading', { level: 1, name: 'The card terminal still cannot connect' })
      .waitFor({ timeout: STEP_MS });
    await page.close();
  });

  it('a page that does not exist: a styled 404 in the portal’s layout, with a way back', async () => {
    const anonymous = await browser.newContext({ baseURL: portal.url });
    const page = await anonymous.newPage();
    const res = await page.goto('/no-such-page');
    expect(res?.status()).toBe(404);
    const heading = page.getByRole('heading', { level: 1 });
    await expect(heading.textContent()).resolves.toMatch(/We could not find that page/);
    // The portal's own header and main landmark, not Nuxt's bare error page.
    await page.locator('header.site-header').waitFor();
    await page.locator('main#main').getByTestId('error-page').waitFor();
    const back = page.getByRole('link', { name: 'Go to the start page' });
    await back.click();
    await page.waitForURL(`${portal.url}/`);
    await page.getByTestId('service-status').waitFor();
    await anonymous.close();
  });

  it('a case that does not exist: "We could not find that case", styled, with a way back', async () => {
    const page = await customer.newPage();
    await page.goto('/cases/no-such-case');
    const missing = page.getByTestId('not-found');
    await missing.waitFor({ timeout: STEP_MS });
    await expect(missing.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'We could not find that case',
    );
    await missing.getByRole('link', { name: 'See your cases' }).click();
    await page.waitForURL('**/cases');
    await page.close();
  });

  it('the status page tells anyone whether the service is up, and only operators what it is made of', async () => {
    const anonymous = await browser.newContext({ baseURL: portal.url });
    const page = await anonymous.newPage();
    // As the server sends it, and as it stands once the page's scripts have run.
    const html = await (await page.request.get('/')).text();
    await page.goto('/');
    await page.waitForLoadState('networkidle');
    await expect(page.getByTestId('service-status').textContent()).resolves.toContain(
      'The service is up and running',
    );
    const shown = await page.locator('body').innerText();
    for (const text of [html, shown]) expect(text).not.toMatch(/Temporal|MongoDB|FerretDB/);
    expect(await page.locator(`a[href^="${TEMPORAL_UI}"]`).count()).toBe(0);
    // The API's public answer names no part either.
    const health = await page.request.get('/api/health');
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await page.request.get('/api/health/components')).status()).toBe(401);
    await anonymous.close();

    const operator = await browser.newContext({ baseURL: portal.url });
    const staff = await operator.newPage();
    await signInThroughPortal(staff, sink, stack.demo.operator.email);
    await staff.waitForURL('**/operator');
    await staff.goto('/');
    const parts = staff.getByTestId('components');
    for (const part of ['Temporal (workflows)', 'MongoDB (case store)']) {
      await parts.locator('li').filter({ hasText: part }).filter({ hasText: '✓ OK' }).waitFor();
    }
    expect(
      await staff
        .getByTestId('temporal-ui')
        .getByRole('link', { name: 'Temporal UI' })
        .getAttribute('href'),
    ).toBe(TEMPORAL_UI);
    await operator.close();
  });
});
