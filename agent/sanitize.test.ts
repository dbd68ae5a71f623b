import { CheckResult } from '../contracts/diagnostics';
import { hashMac, sanitize, sanitizeResult, sanitizeText } from './sanitize';

describe('sanitize', () => {
  it('hashes MAC addresses the same way whatever their notation', () => {
    const hashed = hashMac('AA:BB:CC:DD:EE:FF');
    expect(hashed).toMatch(/^mac:[0-9a-f]{12}$/);
    expect(sanitizeText('printer at aa-bb-cc-dd-ee-ff')).toBe(`printer at ${hashed}`);
  });

  it('truncates public IPv4 addresses in free text and keeps private ones', () => {
    expect(sanitizeText('via 203.0.113.77 and 192.168.1.5, 10.0.0.1, 8.8.8.8')).toBe(
      'via 203.0.113.0/24 and 192.168.1.5, 10.0.0.1, 8.8.8.0/24',
    );
    expect(sanitizeText('version 999.1.2.3')).toBe('version 999.1.2.3');
  });

  it('never makes a field longer than the contract allows', () => {
    // Each public address grows by three characters when cut to its /24.
    const name = 'a'.repeat(253 - 7 * 12) + '1.2.3.4 '.repeat(12).slice(0, 7 * 12);
    const result = CheckResult.parse({
      check: 'dns',
      ok: false,
      durationMs: 5,
      data: { name, configured: { ok: false }, reference: { server: '198.51.100.53', ok: true } },
    });
    const clean = sanitizeResult(result);
    expect(() => CheckResult.parse(clean)).not.toThrow();
    expect((clean.data as { name: string }).name).toContain('1.2.3.0/24');
  });

  it('keeps typed address fields whole and cleans the free text around them', () => {
    const result = CheckResult.parse({
      check: 'http',
      ok: true,
      durationMs: 120,
      data: {
        url: 'http://198.51.100.9/status',
        ok: true,
        serverHeader: 'gw 00:11:22:33:44:55 wan 198.51.100.9',
      },
    });
    const clean = sanitizeResult(result);
    expect(clean).toMatchObject({
      data: {
        url: 'http://198.51.100.0/24/status',
        serverHeader: `gw ${hashMac('00:11:22:33:44:55')} wan 198.51.100.0/24`,
      },
    });

    const internet = CheckResult.parse({
      check: 'internet',
      ok: true,
      durationMs: 2000,
      data: { targets: [{ host: '198.51.100.20', sent: 20, lossPct: 0 }] },
    });
    expect(CheckResult.parse(sanitizeResult(internet))).toEqual(internet);
  });

  it('treats everything in an mDNS answer as free text', () => {
    const mdns = CheckResult.parse({
      check: 'mdns',
      ok: true,
      durationMs: 1500,
      data: {
        services: [{ name: 'NAS b8:27:eb:12:34:56', type: '_smb._tcp', host: '203.0.113.8' }],
      },
    });
    const clean = sanitizeResult(mdns);
    expect(clean).toMatchObject({
      data: { services: [{ name: `NAS ${hashMac('b8:27:eb:12:34:56')}`, host: '203.0.113.0/24' }] },
    });
    expect(CheckResult.parse(clean)).toEqual(clean);
  });

  it('treats what a portal, a proxy or a certificate says as free text', () => {
    const portal = sanitizeResult({
      check: 'captive_portal',
      ok: false,
      durationMs: 12,
      data: {
        url: 'http://www.example.com/',
        reached: true,
        status: 302,
        location: 'http://203.0.113.7/login?client=aa:bb:cc:dd:ee:ff',
        proxyHeaders: [{ name: 'via', value: '198.51.100.9' }],
        findings: ['redirected', 'proxy-headers'],
      },
    });
    expect(portal.data).toMatchObject({
      location: `http://203.0.113.0/24/login?client=${hashMac('aa:bb:cc:dd:ee:ff')}`,
      proxyHeaders: [{ name: 'via', value: '198.51.100.0/24' }],
    });
    const tls = sanitizeResult({
      check: 'tcp_tls',
      ok: true,
      durationMs: 30,
      data: {
        targets: [
          {
            host: '203.0.113.53',
            port: 853,
            address: '203.0.113.53',
            tcp: 'open',
            tls: { ok: true, subject: '203.0.113.53', issuer: 'CA at 198.51.100.1' },
          },
        ],
      },
    });
    // The typed addresses stay whole; what the certificate says is cut.
    expect(tls.data).toMatchObject({
      targets: [
        {
          host: '203.0.113.53',
          address: '203.0.113.53',
          tls: { subject: '203.0.113.0/24', issuer: 'CA at 198.51.100.0/24' },
        },
      ],
    });
  });

  it('hashes values under serial-number keys', () => {
    const clean = sanitize({ serial: 'SN-4711', modem: { serialNumber: 'ABC123' }, model: 'X1' });
    expect(clean).toEqual({
      serial: expect.stringMatching(/^serial:[0-9a-f]{12}$/),
      modem: { serialNumber: expect.stringMatching(/^serial:[0-9a-f]{12}$/) },
      model: 'X1',
    });
  });

  it('hashes the MACs of the LAN checks, keeping the maker prefix, and treats an SSID as free text', () => {
    const conflict = sanitizeResult({
      check: 'ip_conflict',
      ok: false,
      durationMs: 3040,
      data: {
        interface: 'eth0',
        address: '192.168.1.23',
        duplicates: [{ mac: '00:1b:a9:42:17:0c', oui: '00:1b:a9', replies: 1 }],
        gateway: {
          address: '192.168.1.1',
          probes: 4,
          answers: [{ mac: '3c:22:fb:10:01:01', oui: '3c:22:fb', replies: 4 }],
          cachedMac: '3c:22:fb:10:01:01',
        },
        findings: ['address-in-use'],
      },
    });
    expect(conflict.data).toMatchObject({
      duplicates: [{ mac: hashMac('00:1b:a9:42:17:0c'), oui: '00:1b:a9' }],
      gateway: { cachedMac: hashMac('3c:22:fb:10:01:01') },
    });
    expect(CheckResult.parse(conflict)).toEqual(conflict);
    const radio = sanitizeResult({
      check: 'wifi',
      ok: true,
      durationMs: 12,
      data: {
        interface: 'wlan0',
        wireless: true,
        connected: true,
        ssid: '198.51.100.4',
        bssid: 'F4:F2:6D:22:7C:F0',
        findings: [],
      },
    });
    expect(radio.data).toMatchObject({
      ssid: '198.51.100.0/24',
      bssid: hashMac('f4:f2:6d:22:7c:f0'),
    });
    expect(CheckResult.parse(radio)).toEqual(radio);
  });
});
