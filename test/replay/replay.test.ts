import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { quietRuntime } from '../support/stack';
import { temporalDataConverter } from '../../temporal-config/dataConverter';
import { AesGcmPayloadCodec } from '../../temporal-config/codec/aesGcmCodec';
import { INSECURE_DEVELOPMENT_CODEC_KEY } from '../../temporal-config/codec/keys';

// Every recorded case history must replay against today's workflow code: a
// change that would break running cases fails here unless it is `patched`.
// Histories recorded before the payload codec hold plain payloads, newer ones encrypted
// payloads (the public development key's): both replay through the one data converter.

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

  it('has histories from both before and after the payload codec', async () => {
    const codec = new AesGcmPayloadCodec([INSECURE_DEVELOPMENT_CODEC_KEY]);
    const encrypted = fixtures.filter((f) => {
      const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
      const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input;
      const encoding = input?.payloads?.[0]?.metadata?.encoding;
      return encoding && Buffer.from(encoding).toString() === 'binary/encrypted';
    });
    expect(encrypted.length).toBeGreaterThan(0);
    expect(encrypted.length).toBeLessThan(fixtures.length);
    // And the encrypted ones are readable with the key the replay uses.
    const history = historyFromJSON(
      JSON.parse(readFileSync(path.join(dir, encrypted[0]!), 'utf8')),
    );
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
    const [plain] = await codec.decode(input);
    expect(defaultPayloadConverter.fromPayload(plain!)).toBeTruthy();
  });

  // Every patch in the workflow (asked for with patched, or since/sinceDec06 for those a
  // version marker stands for, workflows/patchMarkers.ts) has recorded histories from
  // before it and after it.
  const workflowsDir = path.resolve(__dirname, '..', '..', 'workflows');
  const source = readdirSync(workflowsDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(workflowsDir, f), 'utf8'))
    .join('\n');
  const asked = source.matchAll(/\b(?:patched|since\w*)\('([\w-]+)'\)/g);
  const patches = [...new Set([...asked].map((m) => m[1]!))];
  it.each(patches)('covers both sides of the %s patch', (patch) => {
    const withMarker = fixtures.filter((f) => patchesIn(f).includes(patch));
    expect(withMarker.length).toBeGreaterThan(0);
    expect(withMarker.length).toBeLessThan(fixtures.length);
  });

  it.each(fixtures)('%s replays deterministically', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    await Worker.runReplayHistory(
      {
        workflowsPath: require.resolve('../../workflows'),
        dataConverter: temporalDataConverter([INSECURE_DEVELOPMENT_CODEC_KEY]),
      },
      history,
      path.basename(file, '.json'),
    );
  });
});
