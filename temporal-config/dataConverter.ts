import type { DataConverter } from '@temporalio/common';
import { loadConfig } from '../config';
import { AesGcmPayloadCodec } from './codec/aesGcmCodec';
import type { CodecKey } from './codec/keys';

// The one data converter: the API's client, every worker, the test stacks, the bench and the
// replay tests all take it from here, so what one writes every other can read.

export function temporalDataConverter(
  keys: readonly CodecKey[] = loadConfig().temporal.codecKeys,
): DataConverter {
  return {
    payloadCodecs: [new AesGcmPayloadCodec(keys)],
    failureConverterPath: require.resolve('./codec/failureConverter'),
  };
}
