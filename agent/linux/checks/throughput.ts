import { checkThresholds } from '../../../contracts/diagnostics';
import type { AgentConfig } from '../../config';
import type { Measured } from '../checks';
import { sleep } from '../exec';
import {
  download,
  drainMs,
  speedTestServer,
  upload,
  type SpeedTestServer,
} from './throughputClient';

// How fast the line really is: a download, then an upload, against the
// speed-test server (the cloud's route, or a configured one), each bounded in
// bytes and seconds. A line below the office minimum fails; no plan speed is
// known, so the figures themselves are the finding.
//
// Never over LTE: when the route to the server leaves by the box's LTE
// interface, the measurement would spend metered data and measure the carrier,
// not the office's line. It then does not run, and says why (`skipped`, and an
// `error`, so the advisor counts it as no evidence either way).

type Data = Measured<'throughput'>['data'];
/** A measurement that did not run carries `error`: on a result it means "no evidence". */
export type Skippable<K extends 'throughput' | 'latency_under_load'> = Measured<K> & {
  error?: string;
};

export function skippedWhy(server: SpeedTestServer): string {
  return `skipped: the route to the speed-test server leaves by ${server.iface ?? 'the LTE interface'}, the box's LTE link (metered data, and not the office's line)`;
}

/** Whether the measured rates reach the office minimum. */
export function throughputOk(data: Data): boolean {
  return (
    data.download !== undefined &&
    data.upload !== undefined &&
    data.download.mbps >= data.minDownloadMbps &&
    data.upload.mbps >= data.minUploadMbps
  );
}

export async function throughput(config: AgentConfig): Promise<Skippable<'throughput'>> {
  const server = await speedTestServer(config);
  const base: Data = {
    server: server.url,
    interface: server.iface,
    minDownloadMbps: checkThresholds.minDownloadMbps,
    minUploadMbps: checkThresholds.minUploadMbps,
  };
  try {
    if (server.skipped) {
      return { ok: false, data: { ...base, skipped: server.skipped }, error: skippedWhy(server) };
    }
    const limits = {
      maxBytes: Math.round(config.throughput.maxMB * 1_000_000),
      maxSeconds: config.throughput.maxSeconds,
    };
    // What each transfer leaves queued on a slow line drains before the next measures:
    // the upload's acknowledgements would wait behind the download's queue.
    const downloaded = await download(server, limits);
    await sleep(drainMs);
    const uploaded = await upload(server, limits);
    await sleep(drainMs);
    const data = { ...base, download: downloaded, upload: uploaded };
    return { ok: throughputOk(data), data };
  } finally {
    server.close();
  }
}
