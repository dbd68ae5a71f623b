import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import { parseReplies } from './linuxProbes';

// The monitor's section of the agent config, and what it reads of ping.

const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-monitor-config-'));
function fileWith(content: unknown): string {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe("the agent config's monitor section", () => {
  it('is on by default, with a light minute', () => {
    expect(loadConfig(fileWith({})).monitor).toEqual({
      enabled: true,
      intervalSeconds: 60,
      httpEvery: 5,
      targets: ['1.1.1.1', '8.8.8.8', '9.9.9.9'],
      pingsPerTarget: 1,
      recheckSeconds: 10,
      confirmAfter: 3,
      clearAfter: 3,
      damping: { penaltyPerFlap: 1000, halfLifeSeconds: 120, suppressAbove: 900, reuseBelow: 500 },
      queueLimit: 2880,
    });
  });

  it('names every bad field of the section', () => {
    const file = fileWith({
      monitor: {
        intervalSeconds: 0,
        targets: ['example.com'],
        damping: { suppressAbove: 500, reuseBelow: 800 },
        sometimes: true,
      },
    });
    let message = '';
    try {
      loadConfig(file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(file);
    expect(message).toMatch(/monitor\.intervalSeconds/);
    expect(message).toMatch(/an IPv4 address like 1\.1\.1\.1[\s\S]*monitor\.targets\[0\]/);
    expect(message).toMatch(/sometimes/);
  });

  it('refuses a release threshold above the suppress threshold', () => {
    const file = fileWith({ monitor: { damping: { suppressAbove: 500, reuseBelow: 800 } } });
    expect(() => loadConfig(file)).toThrow(/reuseBelow must be lower than suppressAbove/);
  });
});

describe('ping replies', () => {
  it('reads the round trip of each answered echo request', () => {
    const output = [
      'PING 192.168.1.1 (192.168.1.1) from 192.168.1.23 eth0: 56(84) bytes of data.',
      '64 bytes from 192.168.1.1: icmp_seq=1 ttl=64 time=0.512 ms',
      '64 bytes from 192.168.1.1: icmp_seq=3 ttl=64 time=1.07 ms',
      '',
      '--- 192.168.1.1 ping statistics ---',
      '3 packets transmitted, 2 received, 33.3333% packet loss, time 405ms',
    ].join('\n');
    expect(parseReplies(output)).toEqual([0.512, 1.07]);
    expect(parseReplies('connect: Network is unreachable')).toEqual([]);
  });
});
