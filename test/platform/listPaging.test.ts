import { randomUUID } from 'node:crypto';
import { Case, Customer, Device, Site } from '../../store/models';
import { Partner } from '../../store/partners';
import { createPersonWithToken, type PersonFields } from '../support/people';
import { hashToken, newToken } from '../../store/tokens';
import { call, startTestStack, type TestStack } from '../support/stack';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';

// GET /api/cases, /api/devices and /api/customers page by cursor: every row once and in
// order, stable while rows are added, inside the caller's tenant even with another
// tenant's cursor, refusing cursors they did not give, and searching names literally.

interface Row {
  id: string;
}

const minute = 60_000;
const base = Date.UTC(2026, 10, 1, 12);

/** A case written straight into the store, as the case workflow leaves one. */
function caseDoc(customerId: string, deviceId: string, createdAt: number, summary: string) {
  const id = `case-${randomUUID()}`;
  return {
    _id: id,
    workflowId: `wf-${id}`,
    customerId,
    deviceId,
    channel: 'portal',
    status: 'resolved',
    issueCategory: 'dns',
    summary,
    createdAt: new Date(createdAt),
    updatedAt: new Date(createdAt),
  };
}

function deviceDoc(customerId: string, siteId: string, deviceId: string) {
  return {
    _id: randomUUID(),
    customerId,
    siteId,
    deviceId,
    serialNumber: `SN-${deviceId}`,
    tokenHash: hashToken(newToken('zd')),
    status: 'inactive',
  };
}

async function userToken(fields: Omit<PersonFields, 'email'>): Promise<string> {
  const { token } = await createPersonWithToken({
    email: `${randomUUID()}@paging.example`,
    ...fields,
  });
  return token;
}

describe('lists page by cursor, with search', () => {
  let stack: TestStack;
  let other: OtherTenant;
  let api: string;
  let operator: string;
  let customer: string;
  let ownCustomerId: string;

  /** Every page of a list, following nextCursor; the ids in the order they came. */
  async function walk(
    path: string,
    rowsOf: string,
    token: string,
    { between }: { between?: (page: number) => Promise<void> } = {},
  ): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 200; page++) {
      const sep = path.includes('?') ? '&' : '?';
      const url = `${api}${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await call(url, token);
      expect(res.status).toBe(200);
      seen.push(...(res.body[rowsOf] as Row[]).map(idOf(rowsOf)));
      cursor = res.body.nextCursor;
      if (!cursor) return seen;
      await between?.(page);
    }
    throw new Error(`${path} never reached its last page`);
  }

  function idOf(rowsOf: string) {
    return (row: Row & { deviceId?: string }) => (rowsOf === 'devices' ? row.deviceId! : row.id);
  }

  /** The store's own order for cases: newest first, ties by _id. */
  async function casesInOrder(filter: Record<string, unknown> = {}): Promise<string[]> {
    const docs = await Case.find(filter, { createdAt: 1 }).lean();
    return docs
      .sort(
        (a, b) =>
          b.createdAt!.getTime() - a.createdAt!.getTime() ||
          (a._id < b._id ? 1 : a._id > b._id ? -1 : 0),
      )
      .map((d) => d._id);
  }

  beforeAll(async () => {
    stack = await startTestStack('paging', { worker: false });
    api = stack.apiUrl;
    operator = stack.demo.operator.token;
    customer = stack.demo.customer.token;
    ownCustomerId = stack.demo.customer.id;
    other = await seedOtherTenant();
    const own = stack.demo.device.deviceId;
    // 23 of ours and 7 of theirs, interleaved in time, with runs of equal createdAt so
    // that ties are broken by _id.
    const docs = [
      ...Array.from({ length: 23 }, (_, i) =>
        caseDoc(ownCustomerId, own, base - Math.floor(i / 3) * minute, `Printer ${i} offline`),
      ),
      ...Array.from({ length: 7 }, (_, i) =>
        caseDoc(other.customerId, other.deviceId, base - i * 2 * minute, `Till ${i} offline`),
      ),
    ];
    await Case.collection.insertMany(docs as never[]);
    const site = await Site.create({ customerId: ownCustomerId, name: 'Harbourside Annex' });
    await Device.collection.insertMany(
      Array.from({ length: 11 }, (_, i) =>
        deviceDoc(ownCustomerId, site._id, `pi-page-${String(i * 10).padStart(3, '0')}`),
      ) as never[],
    );
  }, 60_000);
  afterAll(() => stack?.stop());

  it("indexes each list's order, for MongoDB (FerretDB on SQLite reads by _id only)", async () => {
    const keys = async (model: typeof Case | typeof Customer | typeof Device) =>
      (await model.collection.indexes()).map((index) => JSON.stringify(index.key));
    expect(await keys(Case)).toContain(JSON.stringify({ createdAt: -1, _id: -1 }));
    expect(await keys(Customer)).toContain(JSON.stringify({ businessName: 1, _id: 1 }));
    expect(await keys(Device)).toContain(JSON.stringify({ deviceId: 1 }));
  });

  it('walks every case exactly once, newest first, ties by id', async () => {
    const expected = await casesInOrder();
    expect(expected.length).toBeGreaterThanOrEqual(31);
    expect(await walk('/api/cases?limit=4', 'cases', operator)).toEqual(expected);
    // The old answer still works: no cursor, the default limit, every case on one page.
    const whole = await call(`${api}/api/cases`, operator);
    expect(whole.body.cases.map((c: Row) => c.id)).toEqual(expected);
    expect(whole.body.nextCursor).toBeUndefined();
  });

  it('walks every device exactly once, by box id', async () => {
    const devices = await Device.find({}, { deviceId: 1 }).lean();
    const expected = devices.map((d) => d.deviceId).sort();
    expect(await walk('/api/devices?limit=3', 'devices', operator)).toEqual(expected);
  });

  it('keeps later pages stable while newer and older rows are added mid-walk', async () => {
    const before = await casesInOrder({ customerId: ownCustomerId });
    const addedOlder: string[] = [];
    const addedNewer: string[] = [];
    const walked = await walk('/api/cases?limit=5', 'cases', customer, {
      between: async (page) => {
        if (page > 1) return;
        const newer = caseDoc(
          ownCustomerId,
          stack.demo.device.deviceId,
          base + (page + 1) * minute,
          'New',
        );
        const older = caseDoc(
          ownCustomerId,
          stack.demo.device.deviceId,
          base - (90 + page) * minute,
          'Old',
        );
        // Same time as a row already read, with an id that sorts before it: also behind us.
        const tie = caseDoc(ownCustomerId, stack.demo.device.deviceId, base, 'Tie');
        tie._id = `case-~${page}`;
        await Case.collection.insertMany([newer, older, tie] as never[]);
        addedNewer.push(newer._id, tie._id);
        addedOlder.push(older._id);
      },
    });
    expect(walked).toEqual([...before, ...addedOlder]);
    for (const id of addedNewer) expect(walked).not.toContain(id);

    const devicesBefore = (await Device.find({}, { deviceId: 1 }).lean())
      .map((d) => d.deviceId)
      .sort();
    const site = await Site.findOne({ customerId: ownCustomerId });
    const walkedDevices = await walk('/api/devices?limit=4', 'devices', operator, {
      between: async (page) => {
        if (page > 0) return;
        await Device.collection.insertMany([
          deviceDoc(ownCustomerId, site!._id, 'pi-page-000a'),
          deviceDoc(ownCustomerId, site!._id, 'pi-zz-last'),
        ] as never[]);
      },
    });
    expect(walkedDevices).toEqual([...devicesBefore, 'pi-zz-last']);
  });

  it("keeps a customer inside its own rows, even with a cursor from another tenant's row", async () => {
    const theirs = await call(`${api}/api/cases?customerId=${other.customerId}&limit=2`, operator);
    const foreign = theirs.body.nextCursor as string;
    expect(foreign).toBeDefined();
    const res = await call(
      `${api}/api/cases?limit=500&cursor=${encodeURIComponent(foreign)}`,
      customer,
    );
    expect(res.status).toBe(200);
    const ids: string[] = res.body.cases.map((c: Row) => c.id);
    expect(ids.length).toBeGreaterThan(0);
    const own = await casesInOrder({ customerId: ownCustomerId });
    // Their second row's position, then only our rows beyond it (older, or as old with a lower id).
    const last = (await Case.findById(theirs.body.cases[1].id).lean())!;
    const cut = last.createdAt!.getTime();
    const ours = await Case.find({ customerId: ownCustomerId }).lean();
    const olderOfOurs = new Set(
      ours
        .filter((c) => {
          const at = c.createdAt!.getTime();
          return at < cut || (at === cut && c._id < last._id);
        })
        .map((c) => c._id),
    );
    expect(ids).toEqual(own.filter((id) => olderOfOurs.has(id)));

    // Devices: the operator's first page ends on their box (its id sorts first).
    const firstOfAll = await call(`${api}/api/devices?limit=1`, operator);
    expect(firstOfAll.body.devices.map((d: { deviceId: string }) => d.deviceId)).toEqual([
      other.deviceId,
    ]);
    const ownDevices = (await Device.find({ customerId: ownCustomerId }, { deviceId: 1 }).lean())
      .map((d) => d.deviceId)
      .sort();
    const afterTheirs = await call(
      `${api}/api/devices?cursor=${encodeURIComponent(firstOfAll.body.nextCursor)}`,
      customer,
    );
    expect(afterTheirs.body.devices.map((d: { deviceId: string }) => d.deviceId)).toEqual(
      ownDevices,
    );
    // Theirs after a cursor from our first box: nothing of ours, and theirs sorts before it.
    const ourCursor = (await call(`${api}/api/devices?limit=1`, customer)).body.nextCursor;
    const theirPage = await call(
      `${api}/api/devices?cursor=${encodeURIComponent(ourCursor)}`,
      other.token,
    );
    expect(theirPage.status).toBe(200);
    expect(theirPage.body.devices).toEqual([]);
  });

  it('shows a partner only its own customers, page by page and with a foreign cursor', async () => {
    const [mine, theirs] = await Partner.create([
      { name: 'Northside IT' },
      { name: 'Southside IT' },
    ]);
    const names = ['Alder Clinic', 'Birch Books', 'Cedar Cafe'];
    const ownCustomers = await Customer.create(
      names.map((businessName, i) => ({
        businessName,
        primaryPhone: `+1555300000${i}`,
        email: `c${i}@paging.example`,
        partnerId: mine!._id,
        subscriptionStatus: i === 1 ? 'suspended' : 'trial',
      })),
    );
    const stranger = await Customer.create({
      businessName: 'Aardvark Arcade',
      primaryPhone: '+15553009999',
      email: 'aa@paging.example',
      partnerId: theirs!._id,
    });
    const partner = await userToken({ role: 'partner', partnerId: mine!._id });

    expect(await walk('/api/customers?limit=1', 'customers', partner)).toEqual(
      ownCustomers.map((c) => c._id),
    );
    const page = await call(`${api}/api/customers?q=birch`, partner);
    expect(page.body.customers).toEqual([
      {
        id: ownCustomers[1]!._id,
        businessName: 'Birch Books',
        subscriptionStatus: 'suspended',
        partnerId: mine!._id,
      },
    ]);
    expect((await call(`${api}/api/customers?q=aardvark`, partner)).body.customers).toEqual([]);

    // The operator's cursor after the stranger (first by name) leads the partner only to its own.
    const first = await call(`${api}/api/customers?limit=1`, operator);
    expect(first.body.customers[0].id).toBe(stranger._id);
    const after = await call(
      `${api}/api/customers?cursor=${encodeURIComponent(first.body.nextCursor)}`,
      partner,
    );
    expect(after.body.customers.map((c: Row) => c.id)).toEqual(ownCustomers.map((c) => c._id));

    // Operators see every customer, with its subscription and partner.
    const all = await walk('/api/customers?limit=2', 'customers', operator);
    const stored = (await Customer.find({}, { businessName: 1 }).lean())
      .sort((a, b) =>
        a.businessName < b.businessName
          ? -1
          : a.businessName > b.businessName
            ? 1
            : a._id < b._id
              ? -1
              : 1,
      )
      .map((c) => c._id);
    expect(all).toEqual(stored);
    // A customer's people have no list of customers.
    expect((await call(`${api}/api/customers`, customer)).status).toBe(403);
  });

  it('refuses a cursor it did not give with 400 BAD_CURSOR', async () => {
    const devicesCursor = (await call(`${api}/api/devices?limit=1`, operator)).body.nextCursor;
    const casesCursor = (await call(`${api}/api/cases?limit=1`, operator)).body.nextCursor;
    const body = JSON.parse(Buffer.from(casesCursor, 'base64url').toString());
    const tampered = [
      'not a cursor!',
      Buffer.from('{"list":"cases"').toString('base64url'),
      Buffer.from(JSON.stringify({ ...body, key: 'yesterday' })).toString('base64url'),
      Buffer.from(JSON.stringify({ ...body, extra: 1 })).toString('base64url'),
      Buffer.from(JSON.stringify({ list: 'cases', key: { $gt: '' }, id: 'x' })).toString(
        'base64url',
      ),
      casesCursor.slice(0, -3),
      devicesCursor,
    ];
    for (const cursor of tampered) {
      const res = await call(`${api}/api/cases?cursor=${encodeURIComponent(cursor)}`, operator);
      expect({ cursor, status: res.status, code: res.body.code }).toEqual({
        cursor,
        status: 400,
        code: 'BAD_CURSOR',
      });
    }
    for (const path of ['/api/devices', '/api/customers']) {
      const res = await call(`${api}${path}?cursor=${encodeURIComponent(casesCursor)}`, operator);
      expect([path, res.status, res.body.code]).toEqual([path, 400, 'BAD_CURSOR']);
    }
  });

  it('searches by part of a name, any case, and reads .* literally', async () => {
    const byName = await call(`${api}/api/cases?q=${encodeURIComponent('harbor BAK')}`, operator);
    expect(new Set(byName.body.cases.map((c: { customerId: string }) => c.customerId))).toEqual(
      new Set([other.customerId]),
    );
    // By part of the box's id (summaries are the reporter's sealed words: not searched).
    const part = other.deviceId.slice(3, 12).toUpperCase();
    const casesByBox = await call(`${api}/api/cases?q=${encodeURIComponent(part)}`, operator);
    // Its seven and the tenant's own escalated one: all the cases of that box.
    expect(casesByBox.body.cases).toHaveLength(8);
    expect(new Set(casesByBox.body.cases.map((c: { deviceId: string }) => c.deviceId))).toEqual(
      new Set([other.deviceId]),
    );
    // The customer's search stays inside its own cases.
    const theirsByCustomer = await call(`${api}/api/cases?q=harbor`, customer);
    expect(theirsByCustomer.body.cases).toEqual([]);

    const byBox = await call(`${api}/api/devices?q=PAGE-01`, operator);
    expect(byBox.body.devices.map((d: { deviceId: string }) => d.deviceId)).toEqual([
      'pi-page-010',
    ]);
    const bySite = await call(`${api}/api/devices?q=harbourside`, operator);
    expect(bySite.body.devices.length).toBeGreaterThanOrEqual(11);
    for (const d of bySite.body.devices) expect(d.site.name).toBe('Harbourside Annex');

    expect((await call(`${api}/api/cases?q=.*`, operator)).body.cases).toEqual([]);
    expect((await call(`${api}/api/devices?q=.*`, operator)).body.devices).toEqual([]);
    expect((await call(`${api}/api/customers?q=.*`, operator)).body.customers).toEqual([]);
    const dotty = await Customer.create({
      businessName: 'Dots.*Inc',
      primaryPhone: '+15553008888',
      email: 'dots@paging.example',
    });
    expect((await call(`${api}/api/customers?q=.*`, operator)).body.customers).toEqual([
      { id: dotty._id, businessName: 'Dots.*Inc', subscriptionStatus: 'active' },
    ]);
  });
});
