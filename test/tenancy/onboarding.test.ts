import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SmtpSink } from '../../stand-ins/smtpSink';
import { Customer, Session, Site, User } from '../../store/models';
import { Partner } from '../../store/partners';
import { issueApiToken } from '../../store/apiTokens';
import { startMailSink } from '../support/mail';
import { call, startTestStack, type TestStack } from '../support/stack';
import { signIn } from '../support/signIn';
import { mailsTo, nextMailTo } from './support';

// The console API end to end over HTTP: an operator onboards a business, its invited
// admin signs in with the emailed code and invites a member, who signs in and may use
// the service but not manage people. A business keeps an admin; partners onboard their own.

jest.setTimeout(120_000);

describe('onboarding through the console API', () => {
  let stack: TestStack;
  let mail: SmtpSink;
  let outbox: string;
  let operator: string;
  const api = (p: string) => `${stack.apiUrl}/api${p}`;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-onboard-mail-'));
    mail = await startMailSink(dir);
    outbox = path.join(dir, 'outbox');
    process.env.PORTAL_URL = 'http://portal.test';
    stack = await startTestStack('onboard', { worker: false });
    // Inviting and removing people, and changing what a business pays for, need a person
    // signed in with an emailed code: the operator signs in once, as in the portal.
    operator = await signIn(stack.apiUrl, outbox, stack.demo.operator.email);
  });
  afterAll(async () => {
    await stack.stop();
    await mail.stop();
  });

  const newCustomer = (over: Record<string, unknown> = {}) => ({
    businessName: 'Lakeside Vets',
    email: 'office@lakeside-vets.example',
    phones: ['+15552000001', '+15552000002'],
    sites: [{ name: 'Clinic', address: '1 Lake Road' }, { name: 'Stables' }],
    admin: { email: 'ann@lakeside-vets.example', name: 'Ann' },
    ...over,
  });

  it('takes a business from nothing to an admin and a member who sign in with emailed codes', async () => {
    const created = await call(api('/customers'), operator, { body: newCustomer() });
    expect(created.status).toBe(201);
    const customer = created.body.customer;
    expect(customer).toMatchObject({
      businessName: 'Lakeside Vets',
      phones: ['+15552000001', '+15552000002'],
      subscriptionStatus: 'trial',
      sites: [{ name: 'Clinic', address: '1 Lake Road' }, { name: 'Stables' }],
    });
    expect(customer.notice).toBeUndefined();
    expect((await Customer.findById(customer.id).lean())?.primaryPhone).toBe('+15552000001');

    // The invitation names the business and the portal's sign-in page.
    const invitation = await nextMailTo(outbox, 'ann@lakeside-vets.example', 0);
    expect(invitation).toContain("Lakeside Vets's Zen & Zen account");
    expect(invitation).toContain('http://portal.test/login');

    const admin = await signIn(stack.apiUrl, outbox, 'ann@lakeside-vets.example');
    const session = await call(api('/auth/session'), admin);
    expect(session.body).toMatchObject({
      role: 'customer',
      admin: true,
      customerId: customer.id,
      subscription: { status: 'trial' },
    });
    expect((await call(api(`/customers/${customer.id}`), admin)).body.sites).toHaveLength(2);

    const invited = await call(api(`/customers/${customer.id}/people`), admin, {
      body: { email: 'ben@lakeside-vets.example', name: 'Ben' },
    });
    expect(invited.status).toBe(201);
    expect(invited.body).toEqual({
      invitation: { email: 'ben@lakeside-vets.example', name: 'Ben', role: 'member' },
    });
    await nextMailTo(outbox, 'ben@lakeside-vets.example', 0);
    const member = await signIn(stack.apiUrl, outbox, 'ben@lakeside-vets.example');
    const memberSession = await call(api('/auth/session'), member);
    expect(memberSession.body).toMatchObject({ role: 'customer', admin: false });

    // A member reads the business and its sites, but manages nobody.
    expect((await call(api(`/customers/${customer.id}/sites`), member)).status).toBe(200);
    const people = await call(api(`/customers/${customer.id}/people`), admin);
    expect(people.body.people.map((p: any) => [p.email, p.role])).toEqual([
      ['ann@lakeside-vets.example', 'admin'],
      ['ben@lakeside-vets.example', 'member'],
    ]);
    const ann = people.body.people[0].id;
    for (const attempt of [
      call(api(`/customers/${customer.id}/people`), member),
      call(api(`/customers/${customer.id}/people`), member, { body: { email: 'x@y.example' } }),
      call(api(`/customers/${customer.id}/people/${ann}`), member, { method: 'DELETE' }),
      call(api(`/customers/${customer.id}/people/${ann}`), member, {
        method: 'PATCH',
        body: { role: 'member' },
      }),
      call(api(`/customers/${customer.id}/sites`), member, { body: { name: 'Shed' } }),
    ]) {
      expect((await attempt).status).toBe(403);
    }
    expect(await User.countDocuments({ customerId: customer.id })).toBe(2);

    // The admin keeps the contact details, but not the subscription.
    const renamed = await call(api(`/customers/${customer.id}`), admin, {
      method: 'PATCH',
      body: { businessName: 'Lakeside Veterinary', phones: ['+15552000003'] },
    });
    expect(renamed.body).toMatchObject({
      businessName: 'Lakeside Veterinary',
      phones: ['+15552000003'],
    });
    const paid = await call(api(`/customers/${customer.id}`), admin, {
      method: 'PATCH',
      body: { subscriptionStatus: 'active' },
    });
    expect(paid.status).toBe(403);

    // Another customer's admin finds nothing there.
    const stranger = await call(api(`/customers/${customer.id}`), stack.demo.customer.token);
    expect(stranger).toMatchObject({ status: 404, body: { code: 'CUSTOMER_NOT_FOUND' } });
  });

  it('keeps the last admin, and ends a removed person’s sign-ins at once', async () => {
    const created = await call(api('/customers'), operator, {
      body: newCustomer({
        businessName: 'Hill Bakery',
        email: 'hello@hill-bakery.example',
        phones: ['+15552000101'],
        sites: [{ name: 'Bakery' }],
        admin: undefined,
      }),
    });
    const id = created.body.customer.id;
    // The first admin defaults to the business's address.
    const owner = await User.findOne({ email: 'hello@hill-bakery.example' }).lean();
    expect(owner).toMatchObject({ role: 'customer', customerId: id, customerRole: 'admin' });
    const path = `/customers/${id}/people/${owner!._id}`;
    const demote = await call(api(path), operator, { method: 'PATCH', body: { role: 'member' } });
    expect(demote).toMatchObject({ status: 409, body: { code: 'LAST_ADMIN' } });
    const remove = await call(api(path), operator, { method: 'DELETE' });
    expect(remove).toMatchObject({ status: 409, body: { code: 'LAST_ADMIN' } });

    // With a second admin, the first may become a member; then the second is the last.
    await call(api(`/customers/${id}/people`), operator, {
      body: { email: 'cora@hill-bakery.example', role: 'admin' },
    });
    const cora = await User.findOne({ email: 'cora@hill-bakery.example' }).lean();
    const coraToken = await signIn(stack.apiUrl, outbox, 'cora@hill-bakery.example');
    const demoted = await call(api(path), coraToken, { method: 'PATCH', body: { role: 'member' } });
    expect(demoted.body.person).toMatchObject({ id: owner!._id, role: 'member' });
    const coraPath = `/customers/${id}/people/${cora!._id}`;
    expect((await call(api(coraPath), operator, { method: 'DELETE' })).status).toBe(409);

    // A removed person's sign-in stops working on the next request.
    const ownerToken = await signIn(stack.apiUrl, outbox, 'hello@hill-bakery.example');
    expect((await call(api(`/customers/${id}`), ownerToken)).status).toBe(200);
    expect((await call(api(path), coraToken, { method: 'DELETE' })).status).toBe(204);
    expect((await call(api(`/customers/${id}`), ownerToken)).status).toBe(401);
    expect(await Session.countDocuments({ userId: owner!._id })).toBe(0);
  });

  it('answers an invitation of an address with an account elsewhere the same, creating nothing', async () => {
    const created = await call(api('/customers'), operator, {
      body: newCustomer({
        businessName: 'River Books',
        email: 'shop@river-books.example',
        phones: ['+15552000201'],
        sites: [{ name: 'Shop' }],
        admin: undefined,
      }),
    });
    const id = created.body.customer.id;
    const owner = await signIn(stack.apiUrl, outbox, 'shop@river-books.example');
    const taken = stack.demo.customer.email; // Bayside Dental's owner
    const seen = mailsTo(outbox, taken).length;
    const fresh = await call(api(`/customers/${id}/people`), owner, {
      body: { email: 'dan@river-books.example' },
    });
    const elsewhere = await call(api(`/customers/${id}/people`), owner, {
      body: { email: taken },
    });
    expect(elsewhere.status).toBe(fresh.status);
    expect(Object.keys(elsewhere.body.invitation)).toEqual(Object.keys(fresh.body.invitation));
    expect(elsewhere.body).toEqual({ invitation: { email: taken, role: 'member' } });
    const account = await User.findOne({ email: taken }).lean();
    expect(account?.customerId).toBe(stack.demo.customer.id);
    expect(await User.countDocuments({ customerId: id })).toBe(2);
    const told = await nextMailTo(outbox, taken, seen);
    expect(told).toContain('Someone tried to invite this address');
    expect(told).toContain('River Books');
  });

  it('refuses a phone number another customer already calls from', async () => {
    const clash = await call(api('/customers'), operator, {
      body: newCustomer({
        businessName: 'Copy Cat',
        email: 'cat@copy.example',
        phones: ['+15552000999', stack.demo.customer.phone],
        admin: undefined,
      }),
    });
    expect(clash).toMatchObject({ status: 409, body: { code: 'PHONE_IN_USE' } });
    expect(await Customer.countDocuments({ businessName: 'Copy Cat' })).toBe(0);
    // Caller ID finds a business by any of its numbers.
    const second = await call(api('/auth/verify-caller'), operator, {
      body: { phoneNumber: '+15552000002', callerId: '+15552000002' },
    });
    expect(second.status).toBe(401); // Lakeside moved to +15552000003 above
    const moved = await call(api('/auth/verify-caller'), operator, {
      body: { phoneNumber: '+15552000003', callerId: '+15552000003' },
    });
    expect(moved.body).toMatchObject({ otpSent: true });
  });

  it('lets a partner onboard and manage only its own customers', async () => {
    const made = await call(api('/partners'), operator, { body: { name: 'Bay IT' } });
    expect(made.status).toBe(201);
    const other = await call(api('/partners'), operator, { body: { name: 'Cove IT' } });
    const listed = await call(api('/partners'), operator);
    expect(listed.body.partners.map((p: any) => p.name)).toEqual(
      expect.arrayContaining(['Bay IT', 'Cove IT']),
    );
    const partnerId = made.body.partner.id as string;
    const invited = await call(api(`/partners/${partnerId}/people`), operator, {
      body: { email: 'pat@bay-it.example', name: 'Pat' },
    });
    expect(invited.body).toEqual({
      invitation: { email: 'pat@bay-it.example', name: 'Pat', role: 'partner' },
    });
    expect(await User.findOne({ email: 'pat@bay-it.example' }).lean()).toMatchObject({
      role: 'partner',
      partnerId,
    });
    // The partner's person by an integration token of theirs.
    const pat = (await User.findOne({ email: 'pat@bay-it.example' }).lean())!;
    const { token } = await issueApiToken({
      name: 'Test token',
      role: 'partner',
      partnerId,
      createdBy: pat._id,
    });

    const own = await call(api('/customers'), token, {
      body: newCustomer({
        businessName: 'Dock Cafe',
        email: 'hi@dock-cafe.example',
        phones: ['+15552000301'],
        sites: [{ name: 'Cafe' }],
        admin: undefined,
      }),
    });
    expect(own.status).toBe(201);
    expect(own.body.customer).toMatchObject({ partnerId, partnerName: 'Bay IT' });
    const foreign = await call(api('/customers'), token, {
      body: newCustomer({
        businessName: 'Not Mine',
        email: 'x@not-mine.example',
        phones: ['+15552000302'],
        partnerId: other.body.partner.id,
      }),
    });
    expect(foreign.status).toBe(403);
    expect(await Customer.countDocuments({ businessName: 'Not Mine' })).toBe(0);

    const id = own.body.customer.id;
    // What the business pays for changes only by a person's hand: Pat signs in to do it.
    const byToken = await call(api(`/customers/${id}`), token, {
      method: 'PATCH',
      body: { subscriptionStatus: 'suspended' },
    });
    expect(byToken).toMatchObject({ status: 403, body: { code: 'SIGN_IN_REQUIRED' } });
    const patSession = await signIn(stack.apiUrl, outbox, 'pat@bay-it.example');
    const suspended = await call(api(`/customers/${id}`), patSession, {
      method: 'PATCH',
      body: { subscriptionStatus: 'suspended' },
    });
    expect(suspended.body).toMatchObject({
      subscriptionStatus: 'suspended',
      notice: expect.stringContaining('paused'),
    });
    const steal = await call(api(`/customers/${id}`), token, {
      method: 'PATCH',
      body: { partnerId: other.body.partner.id },
    });
    expect(steal.status).toBe(403);
    expect(
      (await call(api(`/customers/${id}/sites`), token, { body: { name: 'Patio' } })).status,
    ).toBe(201);
    expect(await Site.countDocuments({ customerId: id })).toBe(2);

    // Another business is out of reach, as if it did not exist.
    for (const res of [
      await call(api(`/customers/${stack.demo.customer.id}`), token),
      await call(api(`/customers/${stack.demo.customer.id}/people`), token),
      await call(api(`/customers/${stack.demo.customer.id}/sites`), token, { body: { name: 'X' } }),
    ]) {
      expect(res).toMatchObject({ status: 404, body: { code: 'CUSTOMER_NOT_FOUND' } });
    }
    expect(await Partner.countDocuments()).toBe(2);
  });
});
