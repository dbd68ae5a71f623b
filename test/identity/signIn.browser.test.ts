import type { Browser, Page } from 'playwright-core';
import type { SmtpSink } from '../../stand-ins/smtpSink';
import { outboxMessages, readLatestCode } from '../support/mail';
import {
  describeInBrowser,
  startPortalWorld,
  type PortalWorld,
  type TestPortal,
} from '../support/portal';
import type { TestStack } from '../support/stack';

// The sign-in page in Debian's chromium through the built portal: a wait the API asks
// for is said in words and counted down on the page, the buttons stay off until it
// ends, and then the owner signs in with a fresh code.

/** The seconds a "Please wait …" sentence names. */
function secondsIn(text: string): number {
  const m = text.match(/Please wait (?:(\d+) minutes? ?)?(?:(\d+) seconds?)?/);
  if (!m) throw new Error(`no wait in "${text}"`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

describeInBrowser('the sign-in page counts down a wait', () => {
  let world: PortalWorld;
  let stack: TestStack;
  let sink: SmtpSink;
  let portal: TestPortal;
  let browser: Browser;

  beforeAll(async () => {
    world = await startPortalWorld('signin-page', { worker: false });
    ({ stack, sink, portal, browser } = world);
  }, 240_000);
  afterAll(() => world?.stop());

  const mailsTo = (email: string) =>
    outboxMessages(sink.outbox).filter((m) => m.includes(`To: ${email}`)).length;
  const countdown = (page: Page) => page.locator('[data-countdown]');

  it('too many codes asked for: the page says the real wait and counts it down', async () => {
    const page = await browser.newPage({ baseURL: portal.url });
    const email = stack.demo.customer.email;
    await page.goto('/login');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await page.getByLabel('Six-digit code').waitFor();
    const newCode = page.getByRole('button', { name: 'Email me a new code' });
    // Three codes come at once; the fourth must wait.
    for (let i = 0; i < 3; i++) await newCode.click();
    await countdown(page).waitFor();
    const first = secondsIn(await countdown(page).innerText());
    expect(first).toBeGreaterThan(20);
    expect(await page.getByRole('alert').innerText()).toContain(`Please wait ${first} seconds`);
    await expect(newCode.isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Sign in' }).isDisabled()).resolves.toBe(true);

    await page.waitForTimeout(2500);
    const later = secondsIn(await countdown(page).innerText());
    expect(later).toBeLessThanOrEqual(first - 2);
    expect(later).toBeGreaterThanOrEqual(first - 4);
    await page.close();
  });

  it('wrong codes: the wait runs out on the page, then the owner signs in with a fresh code', async () => {
    const page = await browser.newPage({ baseURL: portal.url });
    const email = stack.demo.operator.email;
    const seen = mailsTo(email);
    await page.goto('/login');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    const code = await readLatestCode(sink.outbox, email, seen);
    const wrong = code === '000000' ? '111111' : '000000';
    const signIn = page.getByRole('button', { name: 'Sign in' });
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('Six-digit code').fill(wrong);
      await signIn.click();
      await page.getByText('That code did not work').waitFor();
      await expect(page.getByRole('alert').innerText()).resolves.not.toMatch(/tries|left/);
    }
    // The sixth guess from this browser's address must wait, and the page says how long.
    await page.getByLabel('Six-digit code').fill(wrong);
    await signIn.click();
    await countdown(page).waitFor();
    expect(secondsIn(await countdown(page).innerText())).toBeGreaterThan(0);
    await expect(signIn.isDisabled()).resolves.toBe(true);
    await page.getByText('You can try again now.').waitFor({ timeout: 10_000 });
    await expect(signIn.isDisabled()).resolves.toBe(false);

    // Five wrong guesses killed that code; a fresh one signs the owner in.
    const again = mailsTo(email);
    await page.getByRole('button', { name: 'Email me a new code' }).click();
    const fresh = await readLatestCode(sink.outbox, email, again);
    await page.getByLabel('Six-digit code').fill(fresh);
    await signIn.click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    await page.close();
  });
});
