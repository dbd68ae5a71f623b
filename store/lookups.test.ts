import mongoose from 'mongoose';
import { freshMongoUrl } from '../test/support/env';
import { connectStore, disconnectStore } from './connection';
import { caseParties, deviceByDeviceId, deviceByTokenHash } from './lookups';
import { Case, Device } from './models';

// Device lookups by public id or token hash read the document by _id once they
// know where it is (FerretDB scans for anything else), and never trust that
// memory over the document: a replaced token is not found through it.

const filters: Record<string, unknown>[] = [];

async function addDevice(n: number, tokenHash: string) {
  const doc = await Device.create({
    customerId: 'customer-1',
    siteId: 'site-1',
    deviceId: `pi-lookup-${n}`,
    serialNumber: `ZEN-LOOKUP-${n}`,
    tokenHash,
  });
  return doc._id;
}

describe('device lookups', () => {
  beforeAll(async () => {
    await connectStore(freshMongoUrl('lookups'));
    mongoose.set('debug', (collection: string, method: string, filter: unknown) => {
      if (['devices', 'diagnostic_sessions'].includes(collection) && method === 'findOne') {
        filters.push(filter as Record<string, unknown>);
      }
    });
  });
  afterAll(async () => {
    mongoose.set('debug', false);
    await disconnectStore();
  });
  beforeEach(() => filters.splice(0));

  it('reads a device found once by its _id from then on', async () => {
    const id = await addDevice(1, 'hash-1');

    expect((await deviceByDeviceId('pi-lookup-1'))?._id).toBe(id);
    expect((await deviceByDeviceId('pi-lookup-1'))?._id).toBe(id);
    expect((await deviceByTokenHash('hash-1'))?._id).toBe(id);
    expect((await deviceByTokenHash('hash-1'))?._id).toBe(id);

    expect(filters).toEqual([
      { deviceId: 'pi-lookup-1' },
      { _id: id },
      { tokenHash: 'hash-1' },
      { _id: id },
    ]);
  });

  it('does not find a replaced token hash through the document that held it', async () => {
    const id = await addDevice(2, 'hash-2-old');
    expect((await deviceByTokenHash('hash-2-old'))?._id).toBe(id);

    await Device.updateOne({ _id: id }, { $set: { tokenHash: 'hash-2-new' } });

    expect(await deviceByTokenHash('hash-2-old')).toBeNull();
    expect((await deviceByTokenHash('hash-2-new'))?._id).toBe(id);
    // Forgotten once it failed: the next try looks it up afresh.
    expect(await deviceByTokenHash('hash-2-old')).toBeNull();
    expect(filters.slice(-1)).toEqual([{ tokenHash: 'hash-2-old' }]);
  });

  it('finds a token hash that moved to another document there', async () => {
    const first = await addDevice(3, 'hash-3');
    expect((await deviceByTokenHash('hash-3'))?._id).toBe(first);

    await Device.updateOne({ _id: first }, { $set: { tokenHash: 'hash-3-replaced' } });
    const second = await addDevice(4, 'hash-3');

    expect((await deviceByTokenHash('hash-3'))?._id).toBe(second);
  });

  it('finds nothing for an unknown value', async () => {
    expect(await deviceByDeviceId('pi-nobody')).toBeNull();
    expect(await deviceByTokenHash('no-such-hash')).toBeNull();
  });

  it("reads a case's customer and device once", async () => {
    await Case.create({
      _id: 'case-parties',
      workflowId: 'case-pi-lookup-1',
      customerId: 'customer-1',
      deviceId: 'pi-lookup-1',
      channel: 'portal',
    });
    const parties = { _id: 'case-parties', customerId: 'customer-1', deviceId: 'pi-lookup-1' };

    expect(await caseParties('case-parties')).toEqual(parties);
    expect(await caseParties('case-parties')).toEqual(parties);
    expect(await caseParties('no-such-case')).toBeNull();
    expect(filters).toEqual([{ _id: 'case-parties' }, { _id: 'no-such-case' }]);
  });
});
