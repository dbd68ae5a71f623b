import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { quietRuntime } from '../support/stack';

// Every recorded case history must replay against today's workflow code: a
// change that would break running cases fails here unless it is `patched`.

const dir = path.resolve(__dirname, '..', 'fixtures', 'histories');
quietRuntime();
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('replaying recorded supportCase histories', () => {
  it('has recorded histories to replay', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(3);
  });

  it('covers both sides of the settle-before-verify patch', () => {
    const marked = (file: string) =>
      readFileSync(path.join(dir, file), 'utf8').includes('core_patch');
    const before = fixtures.filter((f) => f.startsWith('pre-settle-'));
    const after = fixtures.filter((f) => !f.startsWith('pre-settle-'));
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(before.filter(marked)).toEqual([]);
    expect(after.filter(marked)).toEqual(after);
  });

  it.each(fixtures)('%s replays deterministically', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    await Worker.runReplayHistory(
      { workflowsPath: require.resolve('../../workflows') },
      history,
      path.basename(file, '.json'),
    );
  });
});
