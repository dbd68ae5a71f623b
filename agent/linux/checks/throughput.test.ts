import { checkThresholds } from '../../../contracts/diagnostics';
import { throughputOk } from './throughput';
import { parseRouteGet, transferOf } from './throughputClient';

// Which way the route goes, the rates from bytes and seconds, and the office minimum.

it('parseRouteGet names the interface `ip -j route get` leaves by', () => {
  // ip -j -4 route get on a Pi whose main table was moved to LTE by failover_lte, and on loopback.
  expect(
    parseRouteGet(
      '[{"dst":"203.0.113.10","gateway":"100.64.0.1","dev":"wwan0","prefsrc":"100.64.0.2","flags":[],"uid":0,"cache":[]}]',
    ),
  ).toBe('wwan0');
  expect(
    parseRouteGet(
      '[{"type":"local","dst":"127.0.0.1","dev":"lo","prefsrc":"127.0.0.1","flags":[],"uid":0,"cache":["local"]}]',
    ),
  ).toBe('lo');
  expect(parseRouteGet('')).toBeUndefined();
});

it('transferOf: Mbit/s from bytes and seconds (10⁶ bits)', () => {
  expect(transferOf(959_610, 4.001)).toEqual({ mbps: 1.92, bytes: 959_610, seconds: 4.001 });
  expect(transferOf(0, 0)).toEqual({ mbps: 0, bytes: 0, seconds: 0 });
});

describe('throughputOk', () => {
  const data = (down: number, up: number) => ({
    server: 'http://198.51.100.80/speed-test',
    minDownloadMbps: checkThresholds.minDownloadMbps,
    minUploadMbps: checkThresholds.minUploadMbps,
    download: transferOf((down * 1e6 * 4) / 8, 4),
    upload: transferOf((up * 1e6 * 4) / 8, 4),
  });

  it.each<[number, number, boolean]>([
    [250, 50, true],
    [10, 2, true],
    [2, 0.5, false],
    [40, 1.5, false],
    [9.4, 9.4, false],
  ])('%s down and %s up: ok is %s', (down, up, ok) => {
    expect(throughputOk(data(down, up))).toBe(ok);
  });

  it('is never ok without both measurements', () => {
    expect(throughputOk({ ...data(250, 50), upload: undefined })).toBe(false);
    expect(throughputOk({ ...data(250, 50), download: undefined })).toBe(false);
  });
});
