import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import versions from '../../temporal-config/versions.json';
import { isToolCurrent, toolPath } from '../../temporal-config/tools';

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
});
