import { CustomerEventType } from '../../contracts/notifications';
import { NotificationSettingsDoc } from '../../store/notificationSettings';
import { call, startTestStack, type TestStack } from '../support/stack';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';

// A customer's notification settings over the API: the defaults before anything was
// chosen, a customer's own settings only, operators any customer's, and bad input refused
// with the field named and nothing lost.

const allEvents = [...CustomerEventType.options];

const chosen = {
  contacts: [
    {
      name: 'Dana at the front desk',
      email: 'dana@bayside.example',
      phone: '+15550001111',
      channels: ['sms', 'email'],
      events: ['approval_waiting', 'case_resolved', 'box_offline'],
    },
    { name: 'Office manager', email: 'office@bayside.example', channels: ['email'], events: [] },
  ],
  quietHours: { start: '22:00', end: '07:00', timeZone: 'America/Los_Angeles' },
};

describe('notification settings API', () => {
  let stack: TestStack;
  let other: OtherTenant;
  const me = () => `${stack.apiUrl}/api/customers/me/notifications`;
  const of = (customerId: string) => `${stack.apiUrl}/api/customers/${customerId}/notifications`;
  const put = (url: string, token: string, body: unknown) =>
    call(url, token, { method: 'PUT', body });

  beforeAll(async () => {
    stack = await startTestStack('notify-settings', { worker: false });
    other = await seedOtherTenant();
  });
  afterAll(() => stack?.stop());

  it('before anything is chosen: the account’s email and phone hear about every event', async () => {
    const res = await call(me(), stack.demo.customer.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      contacts: [
        {
          name: stack.demo.customer.businessName,
          email: stack.demo.customer.email,
          phone: stack.demo.customer.phone,
          channels: ['email', 'sms'],
          events: allEvents,
        },
      ],
    });
    // Reading the defaults stores nothing.
    expect(await NotificationSettingsDoc.countDocuments({})).toBe(0);
  });

  it('a customer saves their own settings and reads them back; quiet hours can be removed', async () => {
    const saved = await put(me(), stack.demo.customer.token, chosen);
    expect(saved).toEqual({ status: 200, body: chosen });
    expect((await call(me(), stack.demo.customer.token)).body).toEqual(chosen);

    const withoutQuiet = { contacts: chosen.contacts };
    expect((await put(me(), stack.demo.customer.token, withoutQuiet)).body).toEqual(withoutQuiet);
    expect((await call(me(), stack.demo.customer.token)).body).toEqual(withoutQuiet);
    await put(me(), stack.demo.customer.token, chosen);
  });

  it('tenants stay apart: another customer sees only their own, and cannot name ours', async () => {
    const theirs = await call(me(), other.token);
    expect(theirs.status).toBe(200);
    expect(theirs.body.contacts).toEqual([
      expect.objectContaining({ email: other.email, name: 'Harbor Bakery' }),
    ]);
    // The operators' route by id is closed to customers, theirs and anyone's alike.
    for (const id of [stack.demo.customer.id, other.customerId, 'no-such-customer']) {
      expect((await call(of(id), other.token)).status).toBe(403);
      expect((await put(of(id), other.token, chosen)).status).toBe(403);
    }
    expect((await call(me(), stack.demo.customer.token)).body).toEqual(chosen);
    // Devices have no say.
    expect((await call(me(), stack.demo.device.token)).status).toBe(403);
    expect((await call(me(), undefined)).status).toBe(401);
  });

  it('operators read and replace any customer’s settings; an unknown customer is 404 and stays unknown', async () => {
    const operator = stack.demo.operator.token;
    expect((await call(of(stack.demo.customer.id), operator)).body).toEqual(chosen);
    const bakery = {
      contacts: [
        {
          name: 'Baker',
          phone: '+15557654321',
          channels: ['phone'],
          events: ['box_offline', 'box_online'],
        },
      ],
    };
    expect(await put(of(other.customerId), operator, bakery)).toEqual({
      status: 200,
      body: bakery,
    });
    expect((await call(me(), other.token)).body).toEqual(bakery);

    expect((await call(of('no-such-customer'), operator)).status).toBe(404);
    const unknown = await put(of('no-such-customer'), operator, bakery);
    expect(unknown.status).toBe(404);
    expect(await NotificationSettingsDoc.exists({ _id: 'no-such-customer' })).toBeNull();
    // The customers' own route is theirs alone.
    expect((await call(me(), operator)).status).toBe(403);
  });

  it.each([
    [
      'an email that is not one',
      { contacts: [{ ...chosen.contacts[0], email: 'not-an-email' }] },
      'contacts.0.email',
      /^Contact 1, email: /,
    ],
    [
      'a phone number not in international form',
      { contacts: [chosen.contacts[1], { ...chosen.contacts[0], phone: '555-1234' }] },
      'contacts.1.phone',
      /^Contact 2, phone: a phone number in international form/,
    ],
    [
      'text messages without a phone number',
      { contacts: [{ name: 'No phone', email: 'a@b.example', channels: ['sms'], events: [] }] },
      'contacts.0.phone',
      /^Contact 1, phone: a phone number is needed for text messages/,
    ],
    [
      'email without an address',
      { contacts: [{ name: 'No email', phone: '+15550001111', channels: ['email'], events: [] }] },
      'contacts.0.email',
      /^Contact 1, email: an email address is needed/,
    ],
    [
      'an empty name',
      { contacts: [{ ...chosen.contacts[0], name: '   ' }] },
      'contacts.0.name',
      /^Contact 1, name: /,
    ],
    [
      'an event that does not exist',
      { contacts: [{ ...chosen.contacts[0], events: ['everything'] }] },
      'contacts.0.events.0',
      /^Contact 1, what to hear about: /,
    ],
    [
      'quiet hours at 25:00',
      { contacts: chosen.contacts, quietHours: { ...chosen.quietHours, start: '25:00' } },
      'quietHours.start',
      /^Quiet hours, start: a time of day as HH:MM/,
    ],
    [
      'a time zone that does not exist',
      { contacts: chosen.contacts, quietHours: { ...chosen.quietHours, timeZone: 'Mars/Olympus' } },
      'quietHours.timeZone',
      /^Quiet hours, time zone: not a time zone we know/,
    ],
    ['no contacts list at all', { quietHours: chosen.quietHours }, 'contacts', /^Contacts: /],
  ])(
    'refuses %s with a 400 naming the field, and keeps what was saved',
    async (_what, body, path, words) => {
      for (const [url, token] of [
        [me(), stack.demo.customer.token],
        [of(stack.demo.customer.id), stack.demo.operator.token],
      ] as const) {
        const res = await put(url, token, body);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('INVALID_SETTINGS');
        expect(res.body.error).toMatch(words);
        expect(res.body.details).toEqual(
          expect.arrayContaining([expect.objectContaining({ path })]),
        );
      }
      expect((await call(me(), stack.demo.customer.token)).body).toEqual(chosen);
    },
  );

  it('refuses a body that is not JSON settings at all', async () => {
    const res = await fetch(me(), {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${stack.demo.customer.token}`,
        'content-type': 'application/json',
      },
      body: '{"contacts": [',
    });
    expect(res.status).toBe(400);
    expect((await call(me(), stack.demo.customer.token)).body).toEqual(chosen);
  });
});
