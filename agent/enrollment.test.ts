import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeCa, type KeyPair, type TestCa } from '../test/support/testCa';
import { enroll, EnrollmentError, piIdentity } from './enrollment';

describe('piIdentity', () => {
  const files =
    (contents: Record<string, string>) =>
    (file: string): string => {
      if (file in contents) return contents[file]!;
      throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
    };

  it('takes the firmware serial number and derives the device id from it', () => {
    const read = files({ '/sys/firmware/devicetree/base/serial-number': '10000000ABCDEF12\0' });
    expect(piIdentity(read)).toEqual({
      serialNumber: '10000000ABCDEF12',
      deviceId: 'pi-abcdef12',
    });
  });

  it('falls back to /proc/cpuinfo, then the machine id', () => {
    const cpuinfo = 'processor\t: 0\nHardware\t: BCM2835\nSerial\t\t: 00000000deadbeef\n';
    expect(piIdentity(files({ '/proc/cpuinfo': cpuinfo })).deviceId).toBe('pi-deadbeef');
    const machineId = '0123456789abcdef0123456789abcdef\n';
    expect(piIdentity(files({ '/etc/machine-id': machineId })).deviceId).toBe('pi-89abcdef');
  });

  it('says how to go on when no serial number can be read', () => {
    expect(() => piIdentity(files({ '/proc/cpuinfo': 'Serial: ../../etc' }))).toThrow(/--serial/);
  });
});

describe('enroll over a verified connection only', () => {
  let dir: string;
  let ca: TestCa;
  const requests: string[] = [];
  const servers: https.Server[] = [];
  const identity = { code: 'ABCD-EFGH', deviceId: 'pi-0000abcd', serialNumber: '10000000ABCD' };

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'zen-enroll-tls-'));
    ca = makeCa(dir, 'zen-test-ca');
  });
  afterAll(() => {
    for (const server of servers) server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An enrollment endpoint that records every request body it receives. */
  async function cloudWith(pair: KeyPair): Promise<string> {
    const server = https.createServer({ cert: pair.cert, key: pair.key }, (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        requests.push(body);
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ deviceToken: 'zd_token-from-cloud', cloudEndpoint: 'wss://x' }));
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `https://localhost:${(server.address() as AddressInfo).port}`;
  }

  it('enrolls with a cloud signed by the CA in its config', async () => {
    requests.length = 0;
    const apiUrl = await cloudWith(ca.issue(['localhost']));
    const tokenPath = path.join(dir, 'good', 'device-token');
    await enroll({ apiUrl, tls: { caFile: ca.certFile }, tokenPath, ...identity });
    expect(readFileSync(tokenPath, 'utf8')).toBe('zd_token-from-cloud\n');
    expect(JSON.parse(requests[0]!)).toMatchObject({ code: 'ABCDEFGH' });
  });

  it('refuses a certificate it does not trust, and the code is never sent', async () => {
    requests.length = 0;
    const apiUrl = await cloudWith(makeCa(dir, 'unrelated-ca').issue(['localhost']));
    const tokenPath = path.join(dir, 'refused', 'device-token');
    const attempt = enroll({ apiUrl, tls: { caFile: ca.certFile }, tokenPath, ...identity });
    await expect(attempt).rejects.toThrow(EnrollmentError);
    await expect(attempt).rejects.toThrow(
      /^refused the cloud's certificate: it was not issued by a CA the box trusts.*; nothing was sent$/,
    );
    expect(requests).toEqual([]);
    expect(existsSync(tokenPath)).toBe(false);
  });

  it('refuses plain http beyond loopback before connecting', async () => {
    const attempt = enroll({
      apiUrl: 'http://192.0.2.10',
      tokenPath: path.join(dir, 'plain', 'device-token'),
      ...identity,
    });
    await expect(attempt).rejects.toThrow(/^apiUrl: plain http to 192\.0\.2\.10/);
  });
});
