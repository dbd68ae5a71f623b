import type { BrowserContext } from 'playwright-core';
import { User } from '../../store/models';
import { axeViolations, describeViolations } from '../support/axe';
import { describeInBrowser, startPortalWorld, type PortalWorld } from '../support/portal';
import { call, type TestStack } from '../support/stack';

// The API tokens page in Debian's chromium against the real stack: a business's admin finds
// it in the menu, makes a token, sees it once (with a warning and a copy button), the token
// works, the page never shows it again, and revoking it (after a confirmation) stops it at
// once. A member of the business has no such page in the menu.

const STEP_MS = 45_000;

describeInBrowser('API tokens in the portal', () => {
  let world: PortalWorld;
  let stack: TestStack;
  let admin: BrowserContext;

  beforeAll(async () => {
    world = await startPortalWorld('tokens-page', { worker: false });
    stack = world.stack;
    admin = await world.context(stack.demo.customer.email);
    await admin.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: world.portal.url,
    });
  }, 240_000);

  afterAll(() => world?.stop());

  const casesWith = (token: string) => call(`${stack.apiUrl}/api/cases`, token);

  it('an admin makes a token, sees it once, and revokes it', async () => {
    const page = await admin.newPage();
    await page.goto('/dashboard');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'API tokens' })
      .click();
    await page.waitForURL('**/tokens');

    await page.getByLabel('Name').fill('Booking system');
    await page.getByLabel('What it may do').selectOption({ label: 'Business member' });
    await page.getByLabel('Days until it expires').fill('30');
    await page.getByRole('button', { name: 'Make the token' }).click();

    const created = page.getByTestId('created-token');
    await created.waitFor({ timeout: STEP_MS });
    await expect(created.textContent()).resolves.toMatch(
      /Copy it now and keep it somewhere safe: this is the only time we show it/,
    );
    const token = await created.getByLabel('Token').inputValue();
    expect(token).toMatch(/^zu_/);
    await created.getByRole('button', { name: 'Copy the token' }).click();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(token);

    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      await page.setViewportSize(viewport);
      const found = describeViolations(`tokens ${viewport.width}px`, await axeViolations(page));
      expect(found.join('\n')).toBe('');
      await expect(
        page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      ).resolves.toBe(true);
    }
    await page.setViewportSize({ width: 1280, height: 800 });

    // It works, acting as a member of this business.
    expect((await casesWith(token)).status).toBe(200);
    const row = page.getByTestId('token-row').filter({ hasText: 'Booking system' });
    await expect(row.textContent()).resolves.toMatch(/Business member.*Bayside Dental.*Expires/);

    // Shown once: gone when dismissed, and not on the page after a reload.
    await created.getByRole('button', { name: 'I have saved it' }).click();
    await page.reload();
    await row.waitFor({ timeout: STEP_MS });
    expect(await page.content()).not.toContain(token);
    // Its use shows (the list read after the call above).
    await expect(row.getByTestId('token-last-used').textContent()).resolves.not.toBe('Never');

    // Revoking asks first; "Keep it" keeps it.
    await row.getByRole('button', { name: 'Revoke Booking system' }).click();
    await row.getByRole('button', { name: 'Keep it' }).click();
    expect((await casesWith(token)).status).toBe(200);
    await row.getByRole('button', { name: 'Revoke Booking system' }).click();
    await row.getByRole('button', { name: 'Yes, revoke it' }).click();
    await page.getByTestId('tokens-notice').waitFor({ timeout: STEP_MS });
    await expect(row.getByTestId('token-state').textContent()).resolves.toMatch(/^Revoked /);
    expect(await row.getByRole('button', { name: /Revoke/ }).count()).toBe(0);

    expect(await casesWith(token)).toEqual({
      status: 401,
      body: expect.objectContaining({
        error: 'This token was revoked. Ask an admin for a new one.',
      }),
    });
    await page.close();
  });

  it("a member of the business has no tokens in the menu, and the page says it is the admins'", async () => {
    await User.create({
      email: 'member@bayside-dental.example',
      role: 'customer',
      customerId: stack.demo.customer.id,
      customerRole: 'member',
    });
    const member = await world.context('member@bayside-dental.example');
    const page = await member.newPage();
    await page.goto('/dashboard');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Cases' }).waitFor({ timeout: STEP_MS });
    expect(await nav.getByRole('link', { name: 'API tokens' }).count()).toBe(0);
    await page.goto('/tokens');
    await expect(page.getByRole('alert').textContent({ timeout: STEP_MS })).resolves.toMatch(
      /Only your business's admins manage API tokens/,
    );
    await member.close();
  });
});
