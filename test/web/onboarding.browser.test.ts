import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { enroll } from '../../agent/enrollment';
import { startSimulatedAgent, type SimulatedAgent } from '../../agent/simulatedAgent';
import { subscriptionRules } from '../../contracts/tenancy';
import { Customer, Device } from '../../store/models';
import { axeViolations, describeViolations } from '../support/axe';
import { describeInBrowser, startPortalWorld, type PortalWorld } from '../support/portal';
import { call, type TestStack } from '../support/stack';

// From nothing to a working box, in Debian's chromium against the real stack: an operator
// onboards a business in the console (a wrong phone number is named under its field and
// nothing is created), its admin signs in with the emailed code, gets an enrollment code,
// a simulated box enrolls with it exactly as the agent's `--enroll` does and connects, and
// the page shows the box online without a reload. The admin invites a member, is refused
// leaving the business without an admin, and the member sees no control to manage anything.
// A paused subscription shows its notice on every page and stops "Get help". Plus axe over
// every new page.

const STEP_MS = 45_000;
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];

describeInBrowser('onboarding a customer through the portal', () => {
  let world: PortalWorld;
  let stack: TestStack;
  let operator: BrowserContext;
  let agent: SimulatedAgent | undefined;
  const run = randomUUID().slice(0, 8);
  const business = `Harbor Bakery ${run}`;
  const adminEmail = `ana-${run}@harbor-bakery.example`;
  const memberEmail = `sam-${run}@harbor-bakery.example`;
  const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const deviceId = `pi-onboard-${run}`;
  let customerId = '';

  beforeAll(async () => {
    world = await startPortalWorld('onboard', { worker: false });
    stack = world.stack;
    operator = await world.context(stack.demo.operator.email);
  }, 240_000);

  afterAll(async () => {
    agent?.stop();
    await world?.stop();
  });

  /** A signed-in context for someone invited by e-mail (they land on their dashboard). */
  const signedIn = (email: string) => world.context(email);

  it('an operator creates a customer with a site and its admin; a wrong number is named, nothing created', async () => {
    const page = await operator.newPage();
    await page.goto('/operator');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Customers' })
      .click();
    await page.waitForURL('**/customers');
    await page.getByTestId('customer-row').first().waitFor({ timeout: STEP_MS });
    await page.getByRole('button', { name: 'New customer' }).click();

    const form = page.getByTestId('new-customer');
    await form.getByLabel('Business name').fill(business);
    await form.getByLabel('Business email').fill(`office-${run}@harbor-bakery.example`);
    await form.getByLabel('Phone 1').fill('555-1234');
    await form.getByLabel('Site 1 name').fill('Main shop');
    await form.getByLabel('Site 1 address').fill('1 Quay Street, Harbor Town');
    await form.getByLabel("Admin's name").fill('Ana Baker');
    await form.getByLabel("Admin's email").fill(adminEmail);
    await form.getByLabel('Subscription').selectOption({ label: 'Active' });
    await form.getByRole('button', { name: 'Create the customer' }).click();

    // The API's words under the phone field; nothing was created.
    const phoneField = form.getByLabel('Phone 1');
    await expect(page.getByRole('alert').textContent({ timeout: STEP_MS })).resolves.toMatch(
      /Not created/,
    );
    expect(await phoneField.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await phoneField.getAttribute('aria-describedby'))!.split(' ').at(-1)!;
    await expect(page.locator(`#${describedBy}`).textContent()).resolves.toMatch(
      /E\.164 phone number such as \+15551234567/,
    );
    expect(await Customer.countDocuments({ businessName: business })).toBe(0);

    await phoneField.fill(phone);
    await form.getByRole('button', { name: 'Create the customer' }).click();
    await page.waitForURL(/\/customers\/[^/?]+\?created=1$/, { timeout: STEP_MS });
    await page.getByTestId('created').waitFor({ timeout: STEP_MS });
    await expect(page.locator('h1').textContent()).resolves.toContain(business);
    customerId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);

    const stored = await Customer.findById(customerId).lean();
    expect(stored).toMatchObject({ businessName: business, phones: [phone] });
    expect(stored?.subscriptionStatus).toBe('active');
    await expect(page.getByTestId('site').textContent()).resolves.toMatch(/Main shop/);
    await expect(page.getByTestId('person').textContent({ timeout: STEP_MS })).resolves.toMatch(
      new RegExp(`Ana Baker[\\s\\S]*${adminEmail.replace(/[.+]/g, '\\$&')}[\\s\\S]*Admin`),
    );
    await page.close();
  });

  it('the admin gets an enrollment code, a box enrolls with it, and it shows online without a reload', async () => {
    expect(customerId).not.toBe('');
    const admin = await signedIn(adminEmail);
    const page = await admin.newPage();
    await page.goto('/dashboard');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Account' })
      .click();
    await page.waitForURL('**/account');

    const box = page.getByTestId('enroll-box');
    await box.waitFor({ timeout: STEP_MS });
    // One site: already chosen.
    await expect(box.getByLabel('Where does the box go?').inputValue()).resolves.not.toBe('');
    await box.getByRole('button', { name: 'Get an enrollment code' }).click();
    const code = (await box.getByTestId('enroll-code').textContent({ timeout: STEP_MS }))!.trim();
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    await expect(box.getByTestId('enroll-command').textContent()).resolves.toMatch(
      new RegExp(
        `^sudo agent/deploy/install\\.sh --api http://127\\.0\\.0\\.1:\\d+ --code ${code}$`,
      ),
    );
    await expect(box.getByTestId('enroll-countdown').textContent()).resolves.toMatch(
      /\(1[45]:\d\d left\)/,
    );
    await box.getByTestId('enroll-waiting').waitFor();
    // A mark on this very document: a reload or a navigation would lose it.
    await page.evaluate(() => Object.assign(window, { zenSamePage: true }));

    // The box, as the agent's --enroll does it, then its link to the cloud.
    const tokenPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'zen-onboard-')), 'token');
    await enroll({
      apiUrl: stack.apiUrl,
      code,
      tokenPath,
      deviceId,
      serialNumber: `SN-${run}`,
    });
    agent = startSimulatedAgent({
      apiUrl: stack.apiUrl,
      token: readFileSync(tokenPath, 'utf8').trim(),
      scenario: 'healthy',
      log: () => undefined,
    });

    const online = box.getByTestId('enroll-online');
    await expect(online.textContent({ timeout: STEP_MS })).resolves.toMatch(
      new RegExp(`Your Zen box ${deviceId} is online at Main shop`),
    );
    expect(await page.evaluate(() => (window as { zenSamePage?: boolean }).zenSamePage)).toBe(true);
    const listed = page.getByTestId('box').filter({ hasText: deviceId });
    await expect(
      listed.getByTestId('box-state').textContent({ timeout: STEP_MS }),
    ).resolves.toMatch(/Online/);
    expect(await Device.findOne({ deviceId }).lean()).toMatchObject({ customerId });
    await page.close();
    await admin.close();
  });

  it('the admin invites a member, cannot leave the business without an admin, and the member sees no controls', async () => {
    const admin = await signedIn(adminEmail);
    const page = await admin.newPage();
    await page.goto('/account');
    const people = page.getByTestId('people');
    await people.getByTestId('person').first().waitFor({ timeout: STEP_MS });

    // The only admin cannot become a member: the API's sentence shows.
    await people.getByRole('button', { name: /^Make member/ }).click();
    await expect(
      people.getByTestId('people-problem').textContent({ timeout: STEP_MS }),
    ).resolves.toMatch(/last admin of this business/);

    await people.getByLabel('Their email address').fill(memberEmail);
    await people.getByLabel('Their name (optional)').fill('Sam Counter');
    await people.getByLabel('Role').selectOption('member');
    await people.getByRole('button', { name: 'Send the invitation' }).click();
    const sam = people.getByTestId('person').filter({ hasText: memberEmail });
    await expect(sam.textContent({ timeout: STEP_MS })).resolves.toMatch(/Member/);
    await page.close();
    await admin.close();

    const member = await signedIn(memberEmail);
    const memberPage = await member.newPage();
    await memberPage.goto('/dashboard');
    const nav = memberPage.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Devices' }).waitFor({ timeout: STEP_MS });
    expect(await nav.getByRole('link', { name: 'Account' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Customers' }).count()).toBe(0);

    await memberPage.goto('/account');
    await memberPage.getByTestId('member-account').waitFor({ timeout: STEP_MS });
    await memberPage.waitForLoadState('networkidle');
    const main = memberPage.locator('main');
    expect(await main.getByRole('button').count()).toBe(0);
    expect(await main.locator('input, select, textarea').count()).toBe(0);
    expect(await main.getByTestId('enroll-box').count()).toBe(0);

    // Their notification contacts: read, not changed (the API keeps that to admins).
    await memberPage.goto('/notifications');
    await memberPage.getByTestId('read-only').waitFor({ timeout: STEP_MS });
    await memberPage.getByTestId('contact').first().waitFor({ timeout: STEP_MS });
    expect(await main.getByRole('button').count()).toBe(0);
    expect(await main.locator('input, select, textarea').count()).toBe(0);
    await memberPage.close();
    await member.close();
  });

  it('a paused subscription: the notice on every page, and "Get help" off with that sentence', async () => {
    const page = await operator.newPage();
    await page.goto(`/customers/${encodeURIComponent(customerId)}`);
    await page.getByLabel('Subscription').selectOption({ label: 'Paused' });
    await expect(page.getByTestId('subscription-meaning').textContent()).resolves.toMatch(
      /no new case opens/,
    );
    await page.getByRole('button', { name: 'Save details' }).click();
    // Saved: the page reloads the customer, whose badge then says so.
    await page
      .locator('h1')
      .getByTestId('subscription-badge')
      .filter({ hasText: 'Paused' })
      .waitFor({ timeout: STEP_MS });
    expect((await Customer.findById(customerId).lean())?.subscriptionStatus).toBe('suspended');
    await page.close();

    const notice = subscriptionRules.suspended.notice!;
    const admin = await signedIn(adminEmail);
    const dashboard = await admin.newPage();
    await dashboard.goto('/dashboard');
    await expect(
      dashboard.getByTestId('subscription-notice').textContent({ timeout: STEP_MS }),
    ).resolves.toContain(notice);
    const help = dashboard.getByRole('button', {
      name: new RegExp(`Get help with Zen box ${deviceId}`),
    });
    await help.waitFor({ timeout: STEP_MS });
    expect(await help.isDisabled()).toBe(true);
    await expect(dashboard.getByTestId('cases-refused').first().textContent()).resolves.toBe(
      notice,
    );
    await dashboard.goto('/account');
    await expect(
      dashboard.getByTestId('subscription-notice').textContent({ timeout: STEP_MS }),
    ).resolves.toContain(notice);
    // And the API refuses the case the button would have opened.
    const refused = await call(`${stack.apiUrl}/api/cases`, stack.demo.operator.token, {
      body: { deviceId, description: 'The internet is down' },
    });
    expect(refused.body).toMatchObject({ code: 'SUBSCRIPTION_SUSPENDED' });
    await dashboard.close();
    await admin.close();
  });

  it('the new pages pass axe at desktop and phone size', async () => {
    const admin = await signedIn(adminEmail);
    const member = await signedIn(memberEmail);
    const visits: { as: BrowserContext; url: string; name: string; ready: string }[] = [
      { as: operator, url: '/customers', name: 'customers', ready: '[data-testid="customer-row"]' },
      {
        as: operator,
        url: `/customers/${encodeURIComponent(customerId)}`,
        name: 'a customer',
        ready: '[data-testid="person"]',
      },
      { as: operator, url: '/partners', name: 'partners', ready: 'main h1' },
      { as: admin, url: '/account', name: "the admin's account", ready: '[data-testid="person"]' },
      {
        as: member,
        url: '/account',
        name: "a member's account",
        ready: '[data-testid="member-account"]',
      },
      {
        as: member,
        url: '/notifications',
        name: "a member's notification contacts",
        ready: '[data-testid="contact"]',
      },
    ];
    const found: string[] = [];
    for (const visit of visits) {
      for (const viewport of VIEWPORTS) {
        const page: Page = await visit.as.newPage();
        await page.setViewportSize(viewport);
        await page.goto(visit.url);
        await page.locator(visit.ready).first().waitFor({ timeout: STEP_MS });
        await page.waitForLoadState('networkidle');
        found.push(
          ...describeViolations(`${visit.name} (${viewport.name})`, await axeViolations(page)),
        );
        await page.close();
      }
    }
    // The new-customer form and a code with its steps, open.
    const console = await operator.newPage();
    await console.goto('/customers');
    await console.getByRole('button', { name: 'New customer' }).click();
    await console.getByTestId('new-customer').waitFor();
    found.push(...describeViolations('new customer form', await axeViolations(console)));
    await console.goto(`/customers/${encodeURIComponent(customerId)}`);
    await console.getByRole('button', { name: 'Get an enrollment code' }).click();
    await console.getByTestId('enroll-code').waitFor({ timeout: STEP_MS });
    found.push(...describeViolations('enrollment code and steps', await axeViolations(console)));
    await console.close();
    expect(found.join('\n\n')).toBe('');
    await admin.close();
    await member.close();
  });
});
