import { Advice, type AdvisorInput } from '../../contracts/advice';
import { baselineChecks } from '../../contracts/checks';
import type { CheckName, CheckResult } from '../../contracts/diagnostics';
import { SimulatedNetwork } from '../../agent/simulator/network';
import { outOfRange, latestResults, unjustified } from './guard';
import { offlineAdvice } from './offline';

// The line's performance as the offline engine reads it: each family of "slow
// internet" its own diagnosis and steps, measured figures in the words, never a
// fix (no catalog action makes a line faster), and a skipped measurement no
// evidence either way.

const perf: CheckName[] = ['throughput', 'latency_under_load'];

function input(scenario: string, more: CheckName[] = perf, extra: Partial<AdvisorInput> = {}) {
  const network = new SimulatedNetwork(scenario);
  return {
    caseId: 'case-perf',
    round: 2,
    maxRounds: 5,
    results: [...baselineChecks, ...more].map((name) => network.runCheck(name)),
    actionsTaken: [],
    ...extra,
  } satisfies AdvisorInput;
}

function words(advice: Advice): string {
  return advice.kind === 'escalate' ? `${advice.diagnosis}\n${advice.instructions}` : '';
}

describe('families of a slow line', () => {
  it.each<[string, string, RegExp[]]>([
    [
      'slow-line',
      'performance',
      [
        /delivers 2 Mbit\/s down and 0\.5 Mbit\/s up/,
        /line test/,
        /contract or bill/,
        /download 2 Mbit\/s \(1000000 bytes in 4 s\)/,
      ],
    ],
    [
      'bufferbloat',
      'performance',
      [
        /rise from 18 ms to 978 ms/,
        /SQM/,
        /download limit to 36 Mbit\/s and its upload limit to 7\.2 Mbit\/s/,
        /fq_codel/,
      ],
    ],
    [
      'high-latency',
      'performance',
      [/takes 418 ms for a round trip, while your own router answers in 1 ms/, /satellite/],
    ],
    ['lan-10mbit', 'link', [/runs at only 10 Mbit\/s/, /Cat5e or Cat6/, /another free port/]],
  ])('%s escalates as %s with its own steps', (name, category, steps) => {
    const given = input(name);
    const advice = offlineAdvice(given);
    expect(Advice.parse(advice)).toMatchObject({ kind: 'escalate', issueCategory: category });
    for (const step of steps) expect(words(advice)).toMatch(step);
    expect(words(advice)).toMatch(/For the technician: /);
    // Slowness is never a reason to restart equipment.
    expect(words(advice)).not.toMatch(/unplug it|power[- ]cycle/i);
    expect(unjustified(advice, given)).toBeUndefined();
  });

  it("a slow resolver is the router's DNS, not the line", () => {
    const advice = offlineAdvice(input('dns-slow', ['dns_integrity', ...perf]));
    expect(advice).toMatchObject({ kind: 'escalate', issueCategory: 'dns' });
    expect(words(advice)).toMatch(/answers slowly \(1512 ms\)/);
  });

  it('a line and router that measure well put the slowness in a device or its Wi-Fi', () => {
    const given = input('healthy', perf, { description: 'Video calls are choppy' });
    const advice = offlineAdvice(given);
    expect(advice).toMatchObject({ kind: 'escalate', issueCategory: 'lan-device' });
    expect(words(advice)).toMatch(/measured 250 Mbit\/s down and 50 Mbit\/s up/);
    expect(words(advice)).toMatch(/network cable/);
    expect(words(advice)).not.toMatch(/unplug it|power[- ]cycle/i);
    // Without words about slowness the same measurements are simply healthy.
    expect(offlineAdvice({ ...given, description: undefined })).toMatchObject({ kind: 'healthy' });
  });

  it('reads the numbers the lab measured on a bloated 2/0.5 Mbit/s line', () => {
    const given = input('healthy', []);
    const lab: CheckResult[] = [
      {
        check: 'throughput',
        ok: false,
        durationMs: 10_000,
        data: {
          server: 'http://198.51.100.0/24/speed-test',
          interface: 'eth0',
          download: { mbps: 1.92, bytes: 959_610, seconds: 4.001 },
          upload: { mbps: 0.45, bytes: 213_087, seconds: 3.763 },
          minDownloadMbps: 10,
          minUploadMbps: 2,
        },
      },
      {
        check: 'latency_under_load',
        ok: false,
        durationMs: 8700,
        data: {
          server: 'http://198.51.100.0/24/speed-test',
          interface: 'eth0',
          gateway: {
            address: '192.168.1.1',
            idleMs: 0.03,
            downloadMs: 0.1,
            uploadMs: 0.1,
            sent: 26,
            received: 26,
          },
          internet: {
            address: '198.51.100.20',
            idleMs: 0.05,
            downloadMs: 352,
            uploadMs: 1039.5,
            sent: 26,
            received: 26,
          },
          load: { downloadMbps: 1.92, uploadMbps: 0.37 },
          maxIdleRttMs: 150,
          maxLoadedRttIncreaseMs: 100,
        },
      },
    ];
    const advice = offlineAdvice({ ...given, results: [...given.results, ...lab] });
    expect(advice).toMatchObject({ kind: 'escalate', issueCategory: 'performance' });
    expect(words(advice)).toMatch(/rise from 0 ms to 1040 ms/);
    expect(words(advice)).toMatch(/also delivers only 1\.9 Mbit\/s down and 0\.5 Mbit\/s up/);
    expect(words(advice)).toMatch(/download limit to 1\.7 Mbit\/s and its upload limit to 0\.4/);
  });

  it('a queue that fills at the router itself is the office network, not the line', () => {
    const given = input('bufferbloat');
    const results = given.results.map((result) =>
      result.check === 'latency_under_load'
        ? {
            ...result,
            data: {
              ...result.data,
              gateway: { ...result.data.gateway!, downloadMs: 240, uploadMs: 310 },
            },
          }
        : result,
    );
    const advice = offlineAdvice({ ...given, results });
    expect(advice).toMatchObject({ kind: 'escalate', issueCategory: 'lan-device' });
    expect(words(advice)).toMatch(/your own router \(192\.168\.1\.1\) answers slowly/);
  });
});

describe('evidence', () => {
  it('a 400 ms round trip in the basic round is out of range, and asks for the latency check', () => {
    const given = input('high-latency', []);
    expect(outOfRange(latestResults(given.results))).toContain('internet: 418 ms round trip');
    const healthy: Advice = { kind: 'healthy', diagnosis: 'fine', rationale: 'fine' };
    expect(unjustified(healthy, given)).toMatch(/418 ms round trip/);
  });

  it('words about slowness, lag or calls ask for both measurements', () => {
    for (const description of [
      'The internet is slow',
      'Zoom calls break up',
      'video calls are choppy',
      'Teams lags all afternoon',
    ]) {
      const advice = offlineAdvice(input('healthy', [], { description }));
      expect(advice).toMatchObject({
        kind: 'more_checks',
        checks: expect.arrayContaining(perf),
      });
    }
  });

  it('a measurement skipped on LTE is no evidence, and is not asked for again', () => {
    const network = new SimulatedNetwork('slow-line');
    network.apply('failover_lte', {});
    const given = {
      ...input('healthy', [], { description: 'The internet is slow' }),
      // The other checks "slow" asks for ran and passed.
      results: [
        ...input('healthy', ['dns_integrity', 'path_mtu', 'ipv6']).results,
        ...perf.map((name) => network.runCheck(name)),
      ],
    };
    for (const name of perf) {
      expect(given.results.find((r) => r.check === name)).toMatchObject({
        data: { skipped: 'cloud-link-on-lte' },
        error: expect.stringMatching(/^skipped/),
      });
    }
    expect(latestResults(given.results)).not.toHaveProperty('throughput');
    const advice = offlineAdvice(given);
    expect(advice.kind).not.toBe('more_checks');
    expect(words(advice)).not.toMatch(/Mbit\/s/);
    expect(unjustified(advice, given)).toBeUndefined();
  });
});
