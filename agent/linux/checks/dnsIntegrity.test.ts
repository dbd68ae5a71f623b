import { dnsFindings, isPrivateAddress } from './dnsIntegrity';
import type { DnsAnswer } from './resolve';

const answered = (addresses: string[], ms = 20): DnsAnswer => ({
  outcome: 'answered',
  addresses,
  ms,
});
const truth = answered(['198.51.100.80']);

describe('dns_integrity findings', () => {
  it('finds nothing when the configured resolver agrees, in time', () => {
    expect(dnsFindings(answered(['198.51.100.80', '198.51.100.81']), truth)).toEqual([]);
  });

  it('finds "no such name" for a name the reference resolves', () => {
    expect(dnsFindings({ outcome: 'nxdomain', addresses: [] }, truth)).toEqual(['nxdomain']);
    // Without the reference's word, it is only no answer.
    const silent: DnsAnswer = { outcome: 'timeout', addresses: [] };
    expect(dnsFindings({ outcome: 'nxdomain', addresses: [] }, silent)).toEqual(['no-answer']);
  });

  it('finds private answers and answers that share nothing with the reference', () => {
    expect(dnsFindings(answered(['192.168.1.250']), truth)).toEqual([
      'private-answer',
      'answers-differ',
    ]);
    expect(dnsFindings(answered(['203.0.113.99']), truth)).toEqual(['answers-differ']);
  });

  it('finds a slow answer past the threshold', () => {
    expect(dnsFindings(answered(['198.51.100.80'], 1500), truth)).toEqual(['slow']);
    expect(dnsFindings(answered(['198.51.100.80'], 900), truth)).toEqual([]);
  });

  it('knows the private ranges', () => {
    for (const a of [
      '10.1.2.3',
      '127.0.0.1',
      '172.16.0.1',
      '172.31.255.1',
      '192.168.0.1',
      '169.254.1.1',
      '0.0.0.0',
      '100.64.0.1',
    ]) {
      expect(isPrivateAddress(a)).toBe(true);
    }
    for (const a of ['172.32.0.1', '198.51.100.80', '8.8.8.8', '100.128.0.1']) {
      expect(isPrivateAddress(a)).toBe(false);
    }
  });
});
