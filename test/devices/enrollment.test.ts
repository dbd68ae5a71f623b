import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enroll, EnrollmentError } from '../../agent/enrollment';
import { maxEnrollmentAttempts } from '../../api/routes/enrollment';
import { Device, EnrollmentCodeDoc, Site } from '../../store/models';
import { call, startTestStack, type TestStack } from '../support/stack';

// One-time enrollment codes: a person asks for one, the Pi trades it for its token.

describe('device enrollment with one-time codes', () => {
  let stack: TestStack;
  let dir: string;
  beforeAll(async () => {
    stack = await startTestStack('enrollment', { worker: false });
    dir = mkdtempSync(path.join(os.tmpdir(), 'zen-enroll-'));
  });
  afterAll(() => stack.stop());

  let serial = 0;
  const pi = () => {
    serial += 1;
    return { deviceId: `pi-enroll-${serial}`, serialNumber: `SN-ENROLL-${serial}` };
  };
  const newCode = async (token = stack.demo.customer.token, body: unknown = {}) =>
    call(`${stack.apiUrl}/api/devices/enrollment-codes`, token, { body });
  const exchange = (code: string, device = pi()) =>
    call(`${stack.apiUrl}/api/device/enroll`, undefined, { body: { code, ...device } });

  it('the Pi trades a fresh code for a token kept in a 0600 file, and the token works', async () => {
    const created = await newCode();
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      code: expect.stringMatching(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/),
      siteId: stack.demo.siteId,
    });
    const minutes = (Date.parse(created.body.expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(14);
    expect(minutes).toBeLessThanOrEqual(15);
    // Stored hashed: the code's secret half appears nowhere in the database.
    const stored = await EnrollmentCodeDoc.findOne().sort({ createdAt: -1 }).lean();
    expect(JSON.stringify(stored)).not.toContain((created.body.code as string).slice(5));

    const device = pi();
    const tokenPath = path.join(dir, 'first', 'device-token');
    // Typed the way a person might: lower case, no dash.
    const typed = (created.body.code as string).replace('-', '').toLowerCase();
    const { cloudEndpoint } = await enroll({
      apiUrl: stack.apiUrl,
      code: typed,
      tokenPath,
      ...device,
    });
    expect(cloudEndpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/device$/);
    expect(statSync(tokenPath).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenPath, 'utf8').trim();
    expect(token).toMatch(/^zd_/);

    const registered = await Device.findOne({ deviceId: device.deviceId }).lean();
    expect(registered).toMatchObject({
      customerId: stack.demo.customer.id,
      siteId: stack.demo.siteId,
      serialNumber: device.serialNumber,
    });
    const self = await call(`${stack.apiUrl}/api/device/register`, token, { body: device });
    expect(self).toMatchObject({ status: 200, body: { status: 'registered' } });

    // Single use.
    const again = await exchange(created.body.code as string);
    expect(again).toMatchObject({ status: 410, body: { code: 'ENROLLMENT_CODE_USED' } });
  });

  it('refuses to replace an existing token file unless asked to', async () => {
    const tokenPath = path.join(dir, 'kept-token');
    writeFileSync(tokenPath, 'zd_previous-token-value\n', { mode: 0o600 });
    const code = (await newCode()).body.code as string;
    await expect(enroll({ apiUrl: stack.apiUrl, code, tokenPath, ...pi() })).rejects.toThrow(
      EnrollmentError,
    );
    expect(readFileSync(tokenPath, 'utf8')).toBe('zd_previous-token-value\n');

    // The refusal happened before the API was asked: the code still works.
    await enroll({ apiUrl: stack.apiUrl, code, tokenPath, overwrite: true, ...pi() });
    expect(readFileSync(tokenPath, 'utf8')).toMatch(/^zd_(?!previous)/);
    expect(statSync(tokenPath).mode & 0o777).toBe(0o600);
  });

  it('wrong, expired and malformed codes get clear 4xx answers; wrong tries burn a code', async () => {
    const code = (await newCode()).body.code as string;
    const [lookup, secret] = code.split('-') as [string, string];
    const wrongSecret = secret === 'ZZZZ' ? 'YYYY' : 'ZZZZ';
    for (let i = 0; i < maxEnrollmentAttempts; i++) {
      const wrong = await exchange(`${lookup}-${wrongSecret}`);
      expect(wrong).toMatchObject({ status: 403, body: { code: 'ENROLLMENT_CODE_INVALID' } });
    }
    // Burned: even the right code no longer works.
    const locked = await exchange(code);
    expect(locked).toMatchObject({ status: 410, body: { code: 'ENROLLMENT_CODE_LOCKED' } });

    const expiring = (await newCode()).body.code as string;
    await EnrollmentCodeDoc.updateOne(
      { lookup: expiring.slice(0, 4) },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );
    expect(await exchange(expiring)).toMatchObject({
      status: 410,
      body: { code: 'ENROLLMENT_CODE_EXPIRED' },
    });

    const malformed = await exchange('ABCD-EF01');
    expect(malformed).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST' } });
    expect(malformed.body.details[0].message).toMatch(/ABCD-EFGH/);
  });

  it('a device id that exists already gets 409 and leaves the code usable', async () => {
    const code = (await newCode()).body.code as string;
    const clash = await exchange(code, {
      deviceId: stack.demo.device.deviceId,
      serialNumber: 'SN-OTHER',
    });
    expect(clash).toMatchObject({ status: 409, body: { code: 'DEVICE_EXISTS' } });
    expect((await exchange(code)).status).toBe(201);
  });

  it('who may create codes: customers for their own sites, operators naming a site', async () => {
    const other = await Site.create({ customerId: 'someone-else', name: 'Elsewhere' });
    expect(await newCode(stack.demo.customer.token, { siteId: other._id })).toMatchObject({
      status: 404,
      body: { code: 'SITE_NOT_FOUND' },
    });
    expect(await newCode(stack.demo.operator.token)).toMatchObject({
      status: 400,
      body: { code: 'SITE_REQUIRED' },
    });
    const byOperator = await newCode(stack.demo.operator.token, { siteId: other._id });
    expect(byOperator).toMatchObject({ status: 201, body: { siteId: other._id } });
    expect((await newCode(stack.demo.device.token)).status).toBe(403);
    const anonymous = await call(`${stack.apiUrl}/api/devices/enrollment-codes`, undefined, {
      body: {},
    });
    expect(anonymous.status).toBe(401);
  });
});
