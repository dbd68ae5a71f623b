import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from './config';

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

  it('says when the file is not JSON or not there', () => {
    expect(() => loadConfig(fileWith('{ not json'))).toThrow(/Cannot read the config file/);
    expect(() => loadConfig(path.join(dir, 'missing.json'))).toThrow(/missing\.json/);
  });
});
