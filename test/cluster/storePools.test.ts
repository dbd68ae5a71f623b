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
