import type { Page } from 'playwright-core';
import { ratingToken } from '../../api/satisfaction/links';
import { Case } from '../../store/models';
import { CaseSatisfaction, satisfactionOf } from '../../store/satisfaction';
import { axeViolations, describeViolations } from '../support/axe';
import { connectDevice, openDemoCase } from '../support/cases';
import { describeInBrowser, startPortalWorld, type PortalWorld } from '../support/portal';
import { eventually } from '../support/stack';

// How did we do, in Debian's chromium against the real stack and the built portal: the
// closing email's link opens the rating page without sign-in, the email's number is chosen
// already, the customer picks 4, writes a comment and is thanked; the link again says it is
// answered. On the case page the signed-in customer sees that answer, and on another closed
// case is asked once.

const STEP_MS = 45_000;

describeInBrowser('rating a closed case in the portal', () => {
  let world: PortalWorld;

  beforeAll(async () => {
    world = await startPortalWorld('csat-page');
  }, 240_000);
  afterAll(() => world?.stop());

  /** A case the healthy simulated box resolves, once its document says so. */
  async function resolvedCase(): Promise<string> {
    const device = connectDevice(world.stack, 'healthy');
    try {
      const { caseId, handle } = await openDemoCase(world.stack);
      expect((await handle.result()).status).toBe('resolved');
      await eventually(async () => (await Case.findById(caseId).lean())?.status === 'resolved', {
        what: 'the resolved case document',
      });
      return caseId;
    } finally {
      device.stop();
    }
  }

  async function expectAccessible(page: Page, where: string) {
    expect(describeViolations(where, await axeViolations(page))).toEqual([]);
  }

  it('by the link: choose 4, write a comment, see the thanks; the link again is answered', async () => {
    const caseId = await resolvedCase();
    const context = await world.browser.newContext({ baseURL: world.portal.url });
    const page = await context.newPage();
    await page.goto(`/rate/${ratingToken(caseId)}?score=2`);
    await page.getByRole('heading', { name: 'How did we do?' }).waitFor({ timeout: STEP_MS });
    await page.getByTestId('rate-case').waitFor({ timeout: STEP_MS });
    await expect(page.getByTestId('rate-case').textContent()).resolves.toContain(
      'Your case was resolved.',
    );
    // The email's number is chosen; nothing is stored until Send.
    await expect(page.getByTestId('score-2').getAttribute('aria-pressed')).resolves.toBe('true');
    expect(await CaseSatisfaction.exists({ _id: caseId })).toBeNull();
    await expectAccessible(page, 'rating page');

    // By keyboard: to the fourth score, then Send.
    await page.getByTestId('score-4').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('score-4').getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(page.getByTestId('score-2').getAttribute('aria-pressed')).resolves.toBe('false');
    await page
      .getByLabel('Anything you would like to tell us? (optional)')
      .fill('The fix came fast and the words were clear.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('rate-thanks').waitFor({ timeout: STEP_MS });

    // Read as the product reads it: the comment is stored sealed (privacy/).
    expect(await satisfactionOf(caseId)).toMatchObject({
      score: 4,
      comment: 'The fix came fast and the words were clear.',
      channel: 'email',
    });

    await page.reload();
    await page.getByTestId('rate-answered').waitFor({ timeout: STEP_MS });
    await expect(page.getByTestId('rate-answered').textContent()).resolves.toMatch(/rated already/);
    await expectAccessible(page, 'rating page, answered');

    // A link that is not ours says so, without telling what exists.
    await page.goto(`/rate/${ratingToken(caseId).slice(0, -3)}abc`);
    await page.getByTestId('rate-missing').waitFor({ timeout: STEP_MS });
    await context.close();

    // The signed-in customer finds the answer on the case page.
    const customer = await world.context(world.stack.demo.customer.email);
    const casePage = await customer.newPage();
    await casePage.goto(`/cases/${caseId}`);
    const answer = casePage.getByTestId('satisfaction-answer');
    await answer.waitFor({ timeout: STEP_MS });
    await expect(answer.textContent()).resolves.toMatch(
      /You rated this case\s+4 of 5 \(Very good\)\s+by email/,
    );
    await expect(casePage.getByTestId('satisfaction').textContent()).resolves.toContain(
      'The fix came fast and the words were clear.',
    );
    await customer.close();
  });

  it('on the case page: asked once when the case closes, then the answer shows', async () => {
    const customer = await world.context(world.stack.demo.customer.email);
    const page = await customer.newPage();
    // The page is open while the case runs: the question comes when it closes.
    const device = connectDevice(world.stack, 'healthy');
    let caseId: string;
    try {
      const opened = await openDemoCase(world.stack);
      caseId = opened.caseId;
      await page.goto(`/cases/${caseId}`);
      expect((await opened.handle.result()).status).toBe('resolved');
    } finally {
      device.stop();
    }
    const ask = page.getByTestId('satisfaction');
    await ask.getByTestId('score-5').waitFor({ timeout: STEP_MS });
    await expectAccessible(page, 'case page asking how we did');
    await ask.getByTestId('score-5').click();
    await ask.getByRole('button', { name: 'Send' }).click();
    await ask.getByTestId('satisfaction-answer').waitFor({ timeout: STEP_MS });
    await expect(ask.getByTestId('satisfaction-answer').textContent()).resolves.toMatch(
      /You rated this case\s+5 of 5 \(Excellent\)\s+in the portal/,
    );
    await expect(ask.getByRole('status').first().textContent()).resolves.toContain('Thank you');
    expect(await CaseSatisfaction.findById(caseId).lean()).toMatchObject({
      score: 5,
      channel: 'portal',
    });
    // Asked once: after a reload there is no form, only the answer.
    await page.reload();
    await page.getByTestId('satisfaction-answer').waitFor({ timeout: STEP_MS });
    expect(await page.getByTestId('score-5').count()).toBe(0);
    await customer.close();
  });
});
