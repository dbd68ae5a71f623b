import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import versions from '../../temporal-config/versions.json';
import { isToolCurrent, toolPath, toolSharePath } from '../../temporal-config/tools';
import { connectStore, disconnectStore } from '../../store/connection';
import { Device } from '../../store/models';
import { freshMongoUrl } from '../support/env';

const run = promisify(execFile);

describe('the pinned tools', () => {
  it('are built at the pinned versions', async () => {
    expect(isToolCurrent('temporal')).toBe(true);
    expect(isToolCurrent('ferretdb')).toBe(true);
    const temporal = await run(toolPath('temporal'), ['--version']);
    expect(temporal.stdout).toContain(`temporal version ${versions.temporal.version.slice(1)}`);
    expect(temporal.stdout).toContain('UI 2.42');
    const ferret = await run(toolPath('ferretdb'), ['--version']);
    expect(ferret.stdout).toContain(`version: ${versions.ferretdb.version}`);
  });

  // The cluster's shape (cluster/): the real Temporal server, its SQL tool with the schemas it
  // applies (kept from the module source, which the build deletes), and the standalone UI.
  it('the real Temporal server, its SQL tool and UI server are built at the pinned versions', async () => {
    const expected = {
      'temporal-server': `temporal version ${versions['temporal-server'].version.slice(1)}`,
      'temporal-sql-tool': `temporal-sql-tool version ${versions['temporal-sql-tool'].version.slice(1)}`,
      'temporal-ui': `Temporal UI version ${versions['temporal-ui'].version.slice(1)}`,
    } as const;
    for (const [tool, version] of Object.entries(expected) as [keyof typeof expected, string][]) {
      expect(isToolCurrent(tool)).toBe(true);
      expect((await run(toolPath(tool), ['--version'])).stdout.trim()).toBe(version);
    }
    for (const schema of ['temporal', 'visibility']) {
      const dir = path.join(toolSharePath('temporal-sql-tool'), 'schema/postgresql/v12', schema);
      expect(existsSync(path.join(dir, 'versioned/v1.0'))).toBe(true);
    }
  });

  // The FerretDB build carries fixes (versions.json): without them every lookup, update and
  // delete by _id, alone or with other fields, read the whole collection.
  it('FerretDB finds documents by _id through its _id index', async () => {
    await connectStore(freshMongoUrl('tools'));
    try {
      await Device.create({
        customerId: 'customer-1',
        siteId: 'site-1',
        deviceId: 'pi-tools',
        serialNumber: 'ZEN-TOOLS',
        tokenHash: 'hash-tools',
      });
      for (const filter of [{ _id: 'some-device' }, { _id: 'some-device', status: 'online' }]) {
        const explained = await mongoose.connection.db!.command({
          explain: { find: 'devices', filter },
        });
        expect(explained.serverInfo?.ferretdbVersion).toBe(versions.ferretdb.version);
        expect(explained.queryPlanner.Plan).toEqual([
          expect.stringMatching(/detail=SEARCH \S+ USING INDEX \S+__id_ /),
        ]);
      }
      // Narrowed by _id, still filtered by the rest.
      const device = await Device.findOne({ deviceId: 'pi-tools' }).lean();
      expect(await Device.findOne({ _id: device!._id, status: 'offline' }).lean()).toBeNull();
      expect(await Device.findOne({ _id: device!._id, status: 'inactive' }).lean()).toMatchObject({
        deviceId: 'pi-tools',
      });
    } finally {
      await disconnectStore();
    }
  });

  // Go's default (collect each time the heap doubles) kept FerretDB's small heap in
  // constant collection under load: npm run bench showed a fifth of its CPU back.
  it('FerretDB runs with its garbage collected at five times the live heap', () => {
    const port = new URL(process.env.MONGO_TEST_SERVER!).port;
    const read = (pid: string, file: string) => {
      try {
        return readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\0');
      } catch {
        return []; // gone since the listing
      }
    };
    const ferret = readdirSync('/proc').filter(
      (pid) =>
        /^\d+$/.test(pid) && read(pid, 'cmdline').includes(`--listen-addr=127.0.0.1:${port}`),
    );
    expect(ferret).toHaveLength(1);
    expect(read(ferret[0]!, 'environ')).toContain('GOGC=400');
  });
});
