/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { SimulatedAgent } from '../../agent/simulatedAgent';
import { randomUUID } from 'node:crypto';
import { Case, User } from '../../store/models';
import { createPersonWithToken } from '../support/people';
import { axeViolations, describeViolations } from '../support/axe';
import { connectDevice, openDemoCase, stateOf, waitForStatus } from '../support/cases';
import { describeInBrowser, startPortalWorld, type PortalWorld } from '../support/portal';
import { call, eventually, type TestStack } from '../support/stack';

// A case the automation cannot finish (the ISP's line is down), worked to its end by a
// technician in the portal: claimed from the queue, an internal note and a message to the
// customer, a fix proposed that the customer approves in their own browser, and resolved
// with a code. The customer reads the message and the summary, never the internal note.

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'technician');
const STEP_MS = 60_000;
const TECHNICIAN = 'Sam Rivera';
const COLLEAGUE = 'Alex Kim';
const INTERNAL = 'Line sync lost at the cabinet; ticket 4471 with the ISP';
const MESSAGE = 'Your provider is repairing the line. We will check again once they are done.';
const SUMMARY = 'The provider repaired the line; every check passes again.';

describeInBrowser('a technician works an escalated case in the portal', () => {
  let world: PortalWorld;
  let stack: TestStack;
  let agent: SimulatedAgent | undefined;
  let operator: BrowserContext;
  let customer: BrowserContext;
  let caseId = '';
  /** A second operator's API token. */
  let colleagueToken = '';
  let handle: Awaited<ReturnType<typeof openDemoCase>>['handle'] | undefined;
  /** The case's workflow state (the case opens in the second test). */
  const state = () => stateOf(handle!);

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // A hand-over waits ten minutes for a technician instead of closing at once.
    world = await startPortalWorld('technician', { caseSettings: { technicianWaitMs: 600_000 } });
    stack = world.stack;
    await User.updateOne({ email: stack.demo.operator.email }, { $set: { name: TECHNICIAN } });
    ({ token: colleagueToken } = await createPersonWithToken({
      email: 'alex@zen-support.example',
      name: COLLEAGUE,
      role: 'operator',
    }));
    [operator, customer] = await Promise.all([
      world.context(stack.demo.operator.email),
      world.context(stack.demo.customer.email),
    ]);
  }, 300_000);

  afterAll(async () => {
    agent?.stop();
    await world?.stop();
  });

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  let operatorPage: Page;
  let customerPage: Page;

  /** A handed-over case's document, as the case workflow writes it. */
  async function seedHandedOver(summary: string, status: string, handedOverAt: Date) {
    const id = randomUUID();
    await Case.create({
      _id: id,
      workflowId: `seeded-${id}`,
      customerId: stack.demo.customer.id,
      deviceId: `pi-seeded-${id.slice(0, 8)}`,
      channel: 'phone',
      status,
      summary,
      createdAt: new Date(handedOverAt.getTime() - 10 * 60_000),
      handedOverAt,
    });
  }

  it('the queue puts cases waiting for a technician first, oldest hand-over first, overdue ones in red', async () => {
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    await seedHandedOver('Printer cannot reach the internet', 'awaiting_technician', ago(5));
    // Handed over two hours ago: its first response (60 minutes by default) is overdue.
    await seedHandedOver('Phones drop every call', 'awaiting_technician', ago(120));
    await seedHandedOver('Wi-Fi slow upstairs', 'with_technician', ago(30));
    const page = await operator.newPage();
    await page.goto('/operator');
    const waiting = page.getByTestId('technician-queue').locator('article');
    await waiting.nth(1).waitFor({ timeout: STEP_MS });
    await expect(waiting.allTextContents()).resolves.toEqual([
      expect.stringContaining('Phones drop every call'),
      expect.stringContaining('Printer cannot reach the internet'),
    ]);
    const overdue = waiting.nth(0).getByTestId('sla-due');
    await expect(overdue.textContent()).resolves.toMatch(/First response due.*\(overdue\)/s);
    await expect(overdue.evaluate((el) => el.classList.contains('late'))).resolves.toBe(true);
    await expect(
      waiting
        .nth(1)
        .getByTestId('sla-due')
        .evaluate((el) => el.classList.contains('late')),
    ).resolves.toBe(false);
    const withTechnician = page.getByTestId('with-technician').locator('article');
    await expect(withTechnician.textContent()).resolves.toContain('Wi-Fi slow upstairs');
    await expect(withTechnician.getByTestId('sla-due').textContent()).resolves.toContain(
      'Resolution due',
    );
    // In the order an operator works them: waiting, with a technician, automatic, escalated.
    const headings = await page.locator('main h2').allTextContents();
    expect(headings.slice(0, 4)).toEqual([
      'Waiting for a technician',
      'With a technician',
      'In progress',
      'Escalated, never claimed',
    ]);
    expect(describeViolations('operator queue', await axeViolations(page)).join('\n')).toBe('');
    await shot(page, '0-queue-order');
    await page.close();
  });

  it('a case the automation hands over is claimed from the queue by an operator', async () => {
    agent = connectDevice(stack, 'isp-outage');
    ({ caseId, handle } = await openDemoCase(stack, 'Nothing loads since this morning'));
    await waitForStatus(handle, 'awaiting_technician', 120_000);
    operatorPage = await operator.newPage();
    await operatorPage.goto('/operator');
    const mine = operatorPage
      .getByTestId('technician-queue')
      .locator('article')
      .filter({ hasText: 'Nothing loads since this morning' });
    await mine.waitFor({ timeout: STEP_MS });
    await expect(mine.getByTestId('sla-due').textContent()).resolves.toMatch(/First response due/);
    await shot(operatorPage, '1-queue');
    await mine.getByRole('link', { name: 'Nothing loads since this morning', exact: true }).click();
    await operatorPage.waitForURL(`**/cases/${caseId}`);

    const panel = operatorPage.getByTestId('technician');
    await panel.waitFor({ timeout: STEP_MS });
    await expect(panel.getByTestId('technician-owner').textContent()).resolves.toContain(
      'Nobody has claimed this case yet',
    );
    await expect(panel.getByTestId('sla').textContent()).resolves.toMatch(
      /First response: Due in .*Resolution: Due in/s,
    );
    await panel.getByRole('button', { name: 'Claim this case' }).click();
    await panel
      .getByTestId('technician-owner')
      .filter({ hasText: 'You have this case.' })
      .waitFor({ timeout: STEP_MS });
    await expect(panel.getByTestId('sla').textContent()).resolves.toContain('Met in time');
    expect((await state()).status).toBe('with_technician');
  });

  it('gives the case to a colleague; claiming a case someone else holds shows why not', async () => {
    const panel = operatorPage.getByTestId('technician');
    await panel.getByLabel('Give it to').selectOption({ label: COLLEAGUE });
    await panel.getByRole('button', { name: 'Assign' }).click();
    const owner = panel.getByTestId('technician-owner');
    await owner.filter({ hasText: `With ${COLLEAGUE}.` }).waitFor({ timeout: STEP_MS });
    await panel.getByRole('button', { name: 'Claim this case' }).click();
    // The workflow's validator refuses: one person holds a case.
    await panel
      .getByRole('alert')
      .filter({ hasText: /Another operator/ })
      .waitFor({ timeout: STEP_MS });
    // The colleague hands it back.
    const me = await User.findOne({ email: stack.demo.operator.email }).lean();
    const back = await call(`${stack.apiUrl}/api/cases/${caseId}/assign`, colleagueToken, {
      body: { operatorId: me!._id },
    });
    expect(back.status).toBe(200);
    await owner.filter({ hasText: 'You have this case.' }).waitFor({ timeout: STEP_MS });
  });

  it('writes an internal note and a message to the customer, each marked for who sees it', async () => {
    const panel = operatorPage.getByTestId('technician');
    const notes = panel.getByTestId('technician-notes');
    // Internal is the default.
    await expect(notes.getByLabel('Internal note: operators only').isChecked()).resolves.toBe(true);
    await notes.getByLabel('Internal note', { exact: true }).fill(INTERNAL);
    await notes.getByRole('button', { name: 'Save internal note' }).click();
    const internal = notes.getByTestId('note-internal');
    await internal.waitFor({ timeout: STEP_MS });
    await expect(internal.textContent()).resolves.toContain(
      'Internal — the customer does not see this',
    );
    await expect(internal.textContent()).resolves.toContain(INTERNAL);

    await notes.getByLabel(/Message to the customer: they see it/).check();
    await notes.getByTestId('customer-visible-warning').waitFor();
    await notes.getByLabel('Message to the customer', { exact: true }).fill(MESSAGE);
    await notes.getByRole('button', { name: 'Send to the customer' }).click();
    const message = notes.getByTestId('note-customer');
    await message.waitFor({ timeout: STEP_MS });
    await expect(message.textContent()).resolves.toContain(MESSAGE);
    await expect(message.textContent()).resolves.toContain(TECHNICIAN);
    // The box is back to internal for the next note.
    await expect(notes.getByLabel('Internal note: operators only').isChecked()).resolves.toBe(true);
    // Every tool open, on a desktop and a phone: readable, named, and nothing wider than the screen.
    // Each click changes which tools match, so always the first of those left.
    const shut = panel.locator('details:not([open]) > summary');
    while ((await shut.count()) > 0) await shut.first().click();
    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 375, height: 812 },
    ]) {
      await operatorPage.setViewportSize(viewport);
      const found = describeViolations(
        `technician panel ${viewport.width}px`,
        await axeViolations(operatorPage),
      );
      expect(found.join('\n')).toBe('');
      await expect(
        operatorPage.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      ).resolves.toBe(true);
    }
    await operatorPage.setViewportSize({ width: 1280, height: 900 });
    await shot(operatorPage, '2-notes');
    const opened = panel.locator('details[open] > summary');
    while ((await opened.count()) > 0) await opened.first().click();
  });

  it('asks the Zen box for more checks, chosen by their words, and sees their results', async () => {
    const checks = operatorPage.getByTestId('technician-checks');
    await checks.locator('summary').click();
    await checks.getByRole('button', { name: 'Run checks' }).click();
    await checks.getByRole('alert').filter({ hasText: 'Choose at least one check.' }).waitFor();
    await checks.getByLabel('Wi-Fi (wifi)').check();
    await checks.getByRole('button', { name: 'Run checks' }).click();
    await eventually(
      async () => {
        const now = await state();
        return now.results.some((r) => r.check === 'wifi') && !now.technician?.checksPending;
      },
      { timeoutMs: STEP_MS, what: 'the Wi-Fi check to run' },
    );
    await operatorPage
      .getByTestId('checks')
      .getByText('Wi-Fi', { exact: true })
      .waitFor({ timeout: STEP_MS });
    await expect(checks.getByRole('alert').count()).resolves.toBe(0);
    await checks.locator('summary').click();
  });

  it('names what is missing before sending, and shows the API’s words when it refuses', async () => {
    const close = operatorPage.getByTestId('technician-close');
    await close.getByRole('button', { name: 'Resolve' }).click();
    await close.getByRole('button', { name: 'Resolve the case…' }).click();
    await close.getByRole('alert').filter({ hasText: 'Choose how it was resolved.' }).waitFor();
    await close.getByRole('button', { name: 'Cancel' }).click();

    // An address the catalog refuses: the API says so, and nothing is proposed.
    const proposal = operatorPage.getByTestId('technician-proposal');
    await proposal.locator('summary').click();
    await proposal.getByLabel('Fix to propose').selectOption('switch_dns_fallback');
    await proposal.getByLabel('DNS resolver address').fill('nowhere');
    await proposal.getByLabel(/^Why/).fill('Try another resolver.');
    await proposal.getByRole('button', { name: 'Propose to the customer' }).click();
    const refused = proposal.getByRole('alert');
    await refused.waitFor({ timeout: STEP_MS });
    await expect(refused.textContent()).resolves.not.toBe('');
    expect((await state()).status).toBe('with_technician');
    await proposal.locator('summary').click();
  });

  it('proposes a catalog fix that the customer approves in their own browser', async () => {
    const proposal = operatorPage.getByTestId('technician-proposal');
    await proposal.locator('summary').click();
    await proposal.getByLabel('Fix to propose').selectOption('renew_dhcp_lease');
    await proposal.getByLabel('Network interface of the Zen box').selectOption('eth0');
    await proposal
      .getByLabel(/^Why/)
      .fill('A fresh address rules out the box itself while the provider works.');
    await proposal.getByRole('button', { name: 'Propose to the customer' }).click();
    await proposal
      .getByRole('status')
      .filter({ hasText: 'Proposed' })
      .waitFor({ timeout: STEP_MS });

    customerPage = await customer.newPage();
    await customerPage.goto(`/cases/${caseId}`);
    const approval = customerPage.getByTestId('approval');
    await approval.waitFor({ timeout: STEP_MS });
    await expect(approval.textContent()).resolves.toMatch(/renew the dhcp lease/i);
    // The message with the technician's name; the internal note nowhere on the page.
    const messages = customerPage.getByTestId('technician-messages');
    await expect(messages.textContent()).resolves.toContain(MESSAGE);
    await expect(messages.textContent()).resolves.toContain(TECHNICIAN);
    await expect(customerPage.locator('body').textContent()).resolves.not.toContain(INTERNAL);
    expect(
      describeViolations('customer case page', await axeViolations(customerPage)).join('\n'),
    ).toBe('');
    await shot(customerPage, '3-customer-approves');
    await approval.getByRole('button', { name: 'Approve' }).click();
    await customerPage.getByText(/Approved\. The Zen box is carrying it out/).waitFor();
    // The fix runs and its checks come back: the case is with the technician again.
    await eventually(
      async () => {
        const now = await state();
        return now.status === 'with_technician' && now.actionsTaken.length > 0;
      },
      { timeoutMs: STEP_MS, what: 'the approved fix to run and the case to return' },
    );
  });

  it('resolves the case with a code; the customer reads the summary and never the internal note', async () => {
    const close = operatorPage.getByTestId('technician-close');
    await close.getByRole('button', { name: 'Resolve' }).click();
    await close.getByLabel('How was it resolved?').selectOption('recovered_by_itself');
    await close.getByLabel('Summary for the customer').fill(SUMMARY);
    await close.getByRole('button', { name: 'Resolve the case…' }).click();
    // Asked once more before it closes.
    await close.getByRole('button', { name: 'Yes, resolve it' }).click();
    await operatorPage
      .getByTestId('case-status')
      .filter({ hasText: 'Resolved' })
      .waitFor({ timeout: STEP_MS });
    // Closed, the operator still reads both notes.
    const notes = operatorPage.getByTestId('technician-notes');
    await expect(notes.textContent()).resolves.toContain(INTERNAL);
    await expect(notes.textContent()).resolves.toContain(MESSAGE);
    await shot(operatorPage, '4-operator-resolved');

    await customerPage
      .getByTestId('case-status')
      .filter({ hasText: 'Resolved' })
      .waitFor({ timeout: STEP_MS });
    const outcome = customerPage.getByTestId('outcome');
    await expect(outcome.textContent()).resolves.toContain('It recovered by itself');
    await expect(outcome.getByTestId('technician-summary').textContent()).resolves.toContain(
      SUMMARY,
    );
    await expect(customerPage.getByTestId('technician-messages').textContent()).resolves.toContain(
      MESSAGE,
    );
    await expect(customerPage.locator('body').textContent()).resolves.not.toContain(INTERNAL);
    // Not in what the API gave the customer's browser either.
    const raw = await (await customerPage.request.get(`/api/cases/${caseId}`)).text();
    expect(raw).toContain(MESSAGE);
    expect(raw).not.toContain(INTERNAL);
    await shot(customerPage, '5-customer-resolved');
  });

  it('closes a case as not fixable remotely, after asking once more; the customer reads why', async () => {
    // The line is still down: a new case on the same box is handed over again.
    const next = await openDemoCase(stack, 'Still no internet after lunch');
    await waitForStatus(next.handle, 'awaiting_technician', 120_000);
    const page = await operator.newPage();
    await page.goto(`/cases/${next.caseId}`);
    const panel = page.getByTestId('technician');
    await panel.getByRole('button', { name: 'Claim this case' }).click();
    await panel
      .getByTestId('technician-owner')
      .filter({ hasText: 'You have this case.' })
      .waitFor({ timeout: STEP_MS });
    const close = panel.getByTestId('technician-close');
    await close.getByRole('button', { name: 'Cannot fix remotely' }).click();
    await close.getByLabel('Why can it not be fixed remotely?').selectOption('isp_fault');
    await close.getByLabel('Summary for the customer').fill('Your provider must repair the line.');
    await close.getByRole('button', { name: 'Close as not fixable remotely…' }).click();
    // Not yet: the case stays open.
    await close.getByRole('button', { name: 'Not yet' }).click();
    expect((await stateOf(next.handle)).status).toBe('with_technician');
    await close.getByRole('button', { name: 'Close as not fixable remotely…' }).click();
    await close.getByRole('button', { name: 'Yes, close it' }).click();
    await page
      .getByTestId('case-status')
      .filter({ hasText: 'Needs more than a remote fix' })
      .waitFor({ timeout: STEP_MS });
    await page.close();

    const mine = await customer.newPage();
    await mine.goto(`/cases/${next.caseId}`);
    const outcome = mine.getByTestId('outcome');
    await outcome.waitFor({ timeout: STEP_MS });
    await expect(outcome.getByRole('heading').textContent()).resolves.toBe(
      'This needs more than a remote fix',
    );
    await expect(outcome.textContent()).resolves.toContain("The internet provider's fault");
    await expect(outcome.getByTestId('technician-summary').textContent()).resolves.toContain(
      'Your provider must repair the line.',
    );
    await shot(mine, '6-customer-not-fixable');
    await mine.close();
  });
});
