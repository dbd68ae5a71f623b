import type { BrowserContext } from 'playwright-core';
import { describeInBrowser, startPortalWorld, type PortalWorld } from '../support/portal';
import { call, type TestStack } from '../support/stack';

// The notification settings page in Debian's chromium against the real stack: a customer
// finds it in their menu, sees the defaults, adds a contact, is told in words which field
// is wrong when the API refuses it (nothing saved), fixes it, sets quiet hours, and finds
// it all again after a reload and in the API.

const STEP_MS = 45_000;

describeInBrowser('notification settings in the portal', () => {
  let world: PortalWorld;
  let stack: TestStack;
  let customer: BrowserContext;

  beforeAll(async () => {
    world = await startPortalWorld('notify-page', { worker: false });
    stack = world.stack;
    customer = await world.context(stack.demo.customer.email);
  }, 240_000);

  afterAll(() => world?.stop());

  const stored = async () =>
    (await call(`${stack.apiUrl}/api/customers/me/notifications`, stack.demo.customer.token))
      .body as { contacts: Record<string, unknown>[]; quietHours?: Record<string, string> };

  it('a customer edits contacts and quiet hours, sees what is wrong in words, and saves', async () => {
    const page = await customer.newPage();
    await page.goto('/dashboard');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Notifications' })
      .click();
    await page.waitForURL('**/notifications');

    // The defaults: the account's email and phone, every event.
    const first = page.getByTestId('contact').nth(0);
    await first.waitFor({ timeout: STEP_MS });
    await expect(first.getByLabel('Name').inputValue()).resolves.toBe('Bayside Dental');
    await expect(first.getByLabel('Email address').inputValue()).resolves.toBe(
      stack.demo.customer.email,
    );
    await expect(first.getByLabel('Mobile phone').inputValue()).resolves.toBe(
      stack.demo.customer.phone,
    );
    await expect(first.getByLabel('The Zen box went offline').isChecked()).resolves.toBe(true);

    // The owner hears only about what needs them, by text message.
    await first.getByLabel('Name').fill('Dr Rivera');
    await first.getByLabel('Email', { exact: true }).uncheck();
    for (const event of [
      'A problem was fixed',
      'The Zen box is back online',
      'The internet is back',
    ]) {
      await first.getByLabel(event).uncheck();
    }

    // A second contact texted, without a phone number yet.
    await page.getByRole('button', { name: 'Add a contact' }).click();
    const second = page.getByTestId('contact').nth(1);
    await second.getByLabel('Name').fill('Front desk');
    await second.getByLabel('Email address').fill('desk@bayside-dental.example');
    await second.getByLabel('Text message').check();
    await second.getByLabel('A problem was fixed').check();
    await second.getByLabel('The internet went down').check();

    // Quiet hours, with the sentence saying what still comes through.
    const quiet = page.getByTestId('quiet-hours');
    await expect(quiet.getByTestId('urgent-sentence').textContent()).resolves.toMatch(
      /Urgent messages still come through during quiet hours.*a fix waits for approval, a reminder that a fix still waits and a problem was passed to a technician/,
    );
    await quiet.getByLabel('Keep quiet during these hours').check();
    await quiet.getByLabel('From').fill('21:30');
    await quiet.getByLabel('Until').fill('06:45');
    await quiet.getByLabel('Time zone').selectOption('Europe/Berlin');

    await page.getByRole('button', { name: 'Save settings' }).click();
    const alert = page.getByRole('alert');
    await expect(alert.textContent({ timeout: STEP_MS })).resolves.toMatch(
      /Not saved\. Contact 2, phone: a phone number is needed for text messages and calls/,
    );
    const phone = second.getByLabel('Mobile phone');
    expect(await phone.getAttribute('aria-invalid')).toBe('true');
    await expect(
      page
        .locator(`#${(await phone.getAttribute('aria-describedby'))!.split(' ').at(-1)}`)
        .textContent(),
    ).resolves.toMatch(/phone number is needed/);
    // Refused: nothing was stored, the defaults still stand.
    expect((await stored()).contacts).toEqual([
      expect.objectContaining({ name: 'Bayside Dental', channels: ['email', 'sms'] }),
    ]);

    await phone.fill('+15550002222');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByTestId('settings-saved').waitFor({ timeout: STEP_MS });
    expect(await page.getByRole('alert').count()).toBe(0);

    const expected = {
      contacts: [
        {
          name: 'Dr Rivera',
          email: stack.demo.customer.email,
          phone: stack.demo.customer.phone,
          channels: ['sms'],
          events: [
            'approval_waiting',
            'approval_reminder',
            'case_escalated',
            'case_not_fixable_remotely',
            'technician_message',
            'box_offline',
            'internet_down',
          ],
        },
        {
          name: 'Front desk',
          email: 'desk@bayside-dental.example',
          phone: '+15550002222',
          channels: ['email', 'sms'],
          events: ['case_resolved', 'internet_down'],
        },
      ],
      quietHours: { start: '21:30', end: '06:45', timeZone: 'Europe/Berlin' },
    };
    expect(await stored()).toEqual(expected);

    // A reload shows what was saved.
    await page.reload();
    await page.getByTestId('contact').nth(1).waitFor({ timeout: STEP_MS });
    await expect(page.getByTestId('contact').nth(1).getByLabel('Name').inputValue()).resolves.toBe(
      'Front desk',
    );
    await expect(page.getByLabel('Time zone').inputValue()).resolves.toBe('Europe/Berlin');
    await expect(page.getByLabel('From').inputValue()).resolves.toBe('21:30');

    // Quiet hours off and the second contact removed: saved as such.
    await page.getByLabel('Keep quiet during these hours').uncheck();
    await page.getByRole('button', { name: 'Remove Front desk' }).click();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByTestId('settings-saved').waitFor({ timeout: STEP_MS });
    expect(await stored()).toEqual({ contacts: [expected.contacts[0]] });
    await page.close();
  });

  it('an operator picks a customer and edits their settings', async () => {
    const operator = await world.context(stack.demo.operator.email);
    const page = await operator.newPage();
    await page.goto('/notifications');
    await page.getByLabel('Customer').selectOption({ label: 'Bayside Dental' });
    const first = page.getByTestId('contact').nth(0);
    await first.waitFor({ timeout: STEP_MS });
    await expect(first.getByLabel('Name').inputValue()).resolves.toBe('Dr Rivera');
    await first.getByLabel('Phone call').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByTestId('settings-saved').waitFor({ timeout: STEP_MS });
    expect((await stored()).contacts[0]).toMatchObject({ channels: ['sms', 'phone'] });
    await operator.close();
  });
});
