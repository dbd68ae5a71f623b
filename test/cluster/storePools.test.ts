import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { storePools } from '../../cluster';
import { startPostgres, type PostgresServer } from '../../cluster/postgres';
import { startFerret } from '../../temporal-config/dev-servers';
import { freePort, type Service } from '../../temporal-config/process';

// FerretDB on PostgreSQL with the cluster's pools: every client process the cluster's store
// serves (two API instances, two workers and the others the launcher allows for) updating
// documents with its whole driver pool at once. With the default pools (the driver's 100 a
// process against FerretDB's 50) the same updates wait for ever: each holds a connection for
// its read and waits for a second for its write (10,000 boxes' first heartbeats did this).

const apis = 2;
const workers = 2;
const { clientPool, ferretPool } = storePools(apis, workers);
const processes = Math.floor((ferretPool - 1) / clientPool);

let dir: string;
let postgres: PostgresServer;
let ferret: Service;
let mongoUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'zen-store-pools-'));
  chmodSync(dir, 0o711);
  postgres = await startPostgres({
    dataDir: path.join(dir, 'postgres'),
    port: await freePort(),
    logFile: path.join(dir, 'postgres.log'),
  });
  await postgres.ensureDatabase('ferretdb');
  const port = await freePort();
  ferret = await startFerret({
    port,
    dataDir: path.join(dir, 'ferret'),
    logFile: path.join(dir, 'ferretdb.log'),
    postgresqlUrl: `${postgres.url('ferretdb')}?pool_max_conns=${ferretPool}`,
  });
  // Every driver connection open before the updates start (the driver opens two at a time),
  // as a long-loaded process's pool is.
  mongoUrl = `mongodb://127.0.0.1:${port}/pools?maxPoolSize=${clientPool}&minPoolSize=${clientPool}`;
}, 120_000);

afterAll(async () => {
  await ferret?.stop();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('every client updating with its whole pool at once never stalls the store', async () => {
  expect(processes).toBeGreaterThanOrEqual(apis + workers);
  const clients = await Promise.all(
    Array.from({ length: processes }, () => MongoClient.connect(mongoUrl)),
  );
  try {
    const devices = clients[0]!.db().collection<{ _id: string; beats: number }>('devices');
    const ids = Array.from({ length: processes * clientPool }, (_, i) => `box-${i}`);
    await devices.insertMany(ids.map((_id) => ({ _id, beats: 0 })));
    await new Promise((r) => setTimeout(r, 5000)); // the pools fill up
    const rounds = 5;
    const updates = clients.flatMap((client, c) =>
      Array.from({ length: clientPool }, async (_, j) => {
        const mine = client.db().collection<{ _id: string; beats: number }>('devices');
        for (let r = 0; r < rounds; r++) {
          await mine.updateOne({ _id: ids[c * clientPool + j]! }, { $inc: { beats: 1 } });
        }
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('stalled'), 60_000);
    });
    const outcome = await Promise.race([Promise.all(updates).then(() => 'done'), stalled]);
    clearTimeout(timer);
    expect(outcome).toBe('done');
    const total = await devices
      .aggregate<{ beats: number }>([{ $group: { _id: null, beats: { $sum: '$beats' } } }])
      .toArray();
    expect(total[0]?.beats).toBe(ids.length * rounds);
  } finally {
    await Promise.all(clients.map((c) => c.close(true)));
  }
}, 120_000);

// FerretDB is built to write one document, or one batch of inserts, as a single statement
// without BEGIN and COMMIT around it (temporal-config/versions.json). What the product
// relies on from those writes must hold as it did in a transaction.
test('writes without a transaction around them keep a taken _id and an ordered batch', async () => {
  const client = await MongoClient.connect(mongoUrl);
  try {
    const entries = client.db().collection<{ _id: string; n: number }>('entries');
    await entries.insertOne({ _id: 'case:1', n: 1 });
    // The audit chain's "exactly once": a second insert of an entry is a duplicate key.
    await expect(entries.insertOne({ _id: 'case:1', n: 2 })).rejects.toMatchObject({
      code: 11000,
    });
    expect(await entries.findOne({ _id: 'case:1' })).toEqual({ _id: 'case:1', n: 1 });

    // An ordered batch stops at the taken id: the ones before it stay, none after it is written.
    await expect(
      entries.insertMany([
        { _id: 'case:2', n: 2 },
        { _id: 'case:1', n: 3 },
        { _id: 'case:4', n: 4 },
      ]),
    ).rejects.toMatchObject({ code: 11000 });
    expect(await entries.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 'case:1', n: 1 },
      { _id: 'case:2', n: 2 },
    ]);

    // More documents than one statement takes still go in whole, or stop at the taken id.
    const many = Array.from({ length: 250 }, (_, i) => ({ _id: `many:${1000 + i}`, n: i }));
    await entries.insertMany(many);
    await expect(
      entries.insertMany([
        ...Array.from({ length: 150 }, (_, i) => ({ _id: `more:${1000 + i}`, n: i })),
        { _id: 'many:1000', n: -1 },
        { _id: 'more:9999', n: -1 },
      ]),
    ).rejects.toMatchObject({ code: 11000 });
    expect(await entries.countDocuments({ _id: { $regex: '^many:' } })).toBe(250);
    expect(await entries.countDocuments({ _id: { $regex: '^more:' } })).toBe(150);
    expect(await entries.findOne({ _id: 'many:1000' })).toEqual({ _id: 'many:1000', n: 0 });

    // An update of one document applies whole; one that cannot apply changes nothing.
    await entries.updateOne({ _id: 'case:2' }, { $set: { n: 20 } });
    expect(await entries.findOne({ _id: 'case:2' })).toEqual({ _id: 'case:2', n: 20 });
    // $push onto a number is refused before anything is written.
    const loose = client.db().collection<{ _id: string; n: number[] }>('entries');
    await expect(loose.updateOne({ _id: 'case:2' }, { $push: { n: 1 } })).rejects.toThrow();
    expect(await entries.findOne({ _id: 'case:2' })).toEqual({ _id: 'case:2', n: 20 });
  } finally {
    await client.close(true);
  }
}, 60_000);
