import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from './config';
import { tcpTlsTargets } from './linux/checks/tcpTls';

const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-config-'));
function fileWith(content: unknown): string {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('agent config file', () => {
  it('fills in the defaults for what it leaves out', () => {
    const config = loadConfig(fileWith({ tokenFile: '/var/lib/zen-agent/device-token' }));
    expect(config).toMatchObject({
      apiUrl: 'http://127.0.0.1:4000',
      interface: 'eth0',
      resolvConfPath: '/etc/resolv.conf',
      modemAddress: '192.168.100.1',
      smartPlugs: {},
      network: { manager: 'auto', stateDir: '/var/lib/zen-agent' },
      timeouts: { checkMs: 15_000, actionMs: 180_000 },
    });
    expect(config.lte).toBeUndefined();
  });

  it('names every bad field and the file', () => {
    const file = fileWith({
      interface: 'eth0; rm -rf /',
      internetTargets: ['example.com'],
      smartPlugs: { modem: 'ftp://192.168.1.50' },
    });
    let message = '';
    try {
      loadConfig(file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(file);
    expect(message).toMatch(/interface/);
    expect(message).toMatch(/internetTargets\[0\]/);
    expect(message).toMatch(/smartPlugs\.modem/);
  });

  it('refuses fields it does not know (a typo must not silently fall back to a default)', () => {
    expect(() => loadConfig(fileWith({ resolvconfPath: '/tmp/resolv.conf' }))).toThrow(
      /resolvconfPath/,
    );
  });

  it('takes the NetworkManager route only as auto, networkmanager or none, and says so', () => {
    const manager = (value: string) =>
      loadConfig(fileWith({ network: { manager: value } })).network.manager;
    expect(manager('networkmanager')).toBe('networkmanager');
    expect(manager('none')).toBe('none');
    expect(() => manager('nm')).toThrow(
      /one of "auto" \(NetworkManager when it manages the interface\), "networkmanager" or "none"\s+→ at network\.manager/,
    );
  });

  it('stops at plain http to anything but loopback, naming apiUrl', () => {
    const apiUrl = (value: string) => loadConfig(fileWith({ apiUrl: value })).apiUrl;
    expect(() => apiUrl('http://support.example.com')).toThrow(
      /plain http to support\.example\.com would send the device token unverified.*\s+→ at apiUrl/,
    );
    expect(() => apiUrl('http://192.168.1.20:4000')).toThrow(/→ at apiUrl/);
    expect(apiUrl('https://support.example.com')).toBe('https://support.example.com');
    expect(apiUrl('http://localhost:4000')).toBe('http://localhost:4000');
  });

  it('takes up to four pins, each a base64 sha256', () => {
    const pin = 'a'.repeat(43) + '=';
    expect(loadConfig(fileWith({ tls: { pins: [pin, pin] } })).tls.pins).toEqual([pin, pin]);
    expect(() => loadConfig(fileWith({ tls: { pins: ['sha256/abc'] } }))).toThrow(
      /a base64 sha256 digest\s+→ at tls\.pins\[0\]/,
    );
    expect(() => loadConfig(fileWith({ tls: { pins: Array(5).fill(pin) } }))).toThrow(/tls\.pins/);
  });

  it('bounds what the long-tail checks connect to, and defaults the TLS targets at run time', () => {
    const config = loadConfig(fileWith({}));
    expect(config.captivePortal).toEqual({
      url: 'http://detectportal.firefox.com/success.txt',
      expectedBody: 'success',
    });
    expect(config.tcpTls).toEqual({});
    expect(tcpTlsTargets(config)).toEqual([
      { host: '1.1.1.1', port: 853, tls: true },
      { host: 'www.example.com', port: 443, tls: true },
    ]);
    expect(config.ntpServer).toBe('time.cloudflare.com');
    const bad = fileWith({
      // A portal is detected over plain HTTP only: HTTPS would hide it behind a certificate error.
      captivePortal: { url: 'https://www.example.com/', expectedBody: '' },
      tcpTls: { targets: [{ host: 'bad host;', port: 70_000 }] },
      ntpServer: '-time',
    });
    let message = '';
    try {
      loadConfig(bad);
    } catch (err) {
      message = (err as Error).message;
    }
    for (const field of [
      'captivePortal.url',
      'captivePortal.expectedBody',
      'tcpTls.targets[0].host',
      'tcpTls.targets[0].port',
      'ntpServer',
    ]) {
      expect(message).toContain(`at ${field}`);
    }
  });

  it('says when the file is not JSON or not there', () => {
    expect(() => loadConfig(fileWith('{ not json'))).toThrow(/Cannot read the config file/);
    expect(() => loadConfig(path.join(dir, 'missing.json'))).toThrow(/missing\.json/);
  });
});
