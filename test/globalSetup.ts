import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { namespace, startFerret, startTemporal } from '../temporal-config/dev-servers';
import { freePort, type Service } from '../temporal-config/process';
import { assertToolsBuilt } from '../temporal-config/tools';

// A fresh Temporal dev server and FerretDB on free ports with throwaway data,
// shared by every test file; their addresses reach the tests through the environment.

declare global {
  var zenTestServers: { services: Service[]; dir: string } | undefined;
}

export default async function globalSetup() {
  assertToolsBuilt(['temporal', 'ferretdb']);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-test-'));
  const [temporalPort, mongoPort] = [await freePort(), await freePort()];
  const services = await Promise.all([
    startTemporal({
      port: temporalPort,
      uiPort: null,
      dbFile: path.join(dir, 'temporal.db'),
      logFile: path.join(dir, 'temporal.log'),
    }),
    startFerret({
      port: mongoPort,
      dataDir: path.join(dir, 'mongo'),
      logFile: path.join(dir, 'ferretdb.log'),
    }),
  ]);
  globalThis.zenTestServers = { services, dir };
  process.env.ZEN_TEST_DIR = dir;
  process.env.TEMPORAL_ADDRESS = `127.0.0.1:${temporalPort}`;
  process.env.TEMPORAL_NAMESPACE = namespace;
  process.env.MONGO_TEST_SERVER = `mongodb://127.0.0.1:${mongoPort}`;
}
