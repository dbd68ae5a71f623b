import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { quietRuntime } from '../support/stack';

// Every recorded case history must replay against today's workflow code: a
// change that would break running cases fails here unless it is `patched`.

const dir = path.resolve(__dirname, '..', 'fixtures', 'histories');
quietRuntime();
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

/** The patch ids a recorded history's markers carry. */
function patchesIn(file: string): string[] {
  const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
  return (history.events ?? [])
    .map((e) => e.markerRecordedEventAttributes)
    .filter((m) => m?.markerName === 'core_patch')
    .map((m) => {
      const payload = m!.details?.['patch-data']?.payloads?.[0];
      return payload ? defaultPayloadConverter.fromPayload<{ id: string }>(payload).id : '';
    });
}

describe('replaying recorded supportCase histories', () => {
  it('has recorded histories to replay', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(3);
  });

  // Every patch in the workflow (asked for with patched, or since for those the
  // version marker stands for) has recorded histories from before it and after it.
  const workflowsDir = path.resolve(__dirname, '..', '..', 'workflows');
  const source = readdirSync(workflowsDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(workflowsDir, f), 'utf8'))
    .join('\n');
  const asked = source.matchAll(/\b(?:patched|since)\('([\w-]+)'\)/g);
  const patches = [...new Set([...asked].map((m) => m[1]!))];
  it.each(patches)('covers both sides of the %s patch', (patch) => {
    const withMarker = fixtures.filter((f) => patchesIn(f).includes(patch));
    expect(withMarker.length).toBeGreaterThan(0);
    expect(withMarker.length).toBeLessThan(fixtures.length);
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
