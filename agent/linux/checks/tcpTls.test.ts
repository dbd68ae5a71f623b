import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { makeCa, type KeyPair } from '../../../test/support/testCa';
import { AgentConfig } from '../../config';
import { tcpState, tcpTls, tlsProblem } from './tcpTls';

// Real handshakes on loopback with certificates from a throwaway CA.

describe('tcp_tls on loopback', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-tcp-tls-'));
  const ca = makeCa(dir, 'ca');
  const servers: net.Server[] = [];

  async function serve(certificate: KeyPair): Promise<number> {
    const server = tls.createServer({
      cert: certificate.cert,
      key: certificate.key,
    });
    server.on('secureConnection', (socket) => socket.end());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as net.AddressInfo).port;
  }

  async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('judges the certificate and the port of each target', async () => {
    const good = await serve(ca.issue(['127.0.0.1']));
    const wrongName = await serve(ca.issue(['www.example.com']));
    const closed = await closedPort();
    const config = AgentConfig.parse({
      resolvConfPath: path.join(dir, 'no-resolv.conf'),
      tcpTls: {
        caFile: ca.certFile,
        targets: [
          { host: '127.0.0.1', port: good },
          { host: '127.0.0.1', port: wrongName },
          { host: '127.0.0.1', port: closed },
          { host: '127.0.0.1', port: good, tls: false },
        ],
      },
    });
    const { ok, data } = await tcpTls(config);
    expect(ok).toBe(false);
    const [valid, misnamed, refused, plain] = data.targets;
    expect(valid).toMatchObject({
      tcp: 'open',
      tls: { ok: true, protocol: 'TLSv1.3', subject: '127.0.0.1' },
    });
    expect(misnamed).toMatchObject({ tcp: 'open', tls: { ok: false, problem: 'wrong-name' } });
    expect(refused).toEqual({
      host: '127.0.0.1',
      port: closed,
      address: '127.0.0.1',
      tcp: 'refused',
    });
    expect(plain).toMatchObject({ tcp: 'open' });
    expect(plain!.tls).toBeUndefined();

    const misnamedOnly = AgentConfig.parse({
      tcpTls: { caFile: ca.certFile, targets: [{ host: '127.0.0.1', port: wrongName }] },
    });
    expect((await tcpTls(misnamedOnly)).ok).toBe(false);
    const alone = AgentConfig.parse({
      tcpTls: { caFile: ca.certFile, targets: [{ host: '127.0.0.1', port: good }] },
    });
    expect((await tcpTls(alone)).ok).toBe(true);
  });

  it('calls a chain from an unknown CA untrusted', async () => {
    const port = await serve(ca.issue(['127.0.0.1']));
    const config = AgentConfig.parse({ tcpTls: { targets: [{ host: '127.0.0.1', port }] } });
    const { data } = await tcpTls(config);
    expect(data.targets[0]).toMatchObject({
      tcp: 'open',
      tls: { ok: false, problem: 'untrusted' },
    });
  });
});

describe('tcp_tls codes', () => {
  it('reads clock and name problems from the verification codes', () => {
    expect(tlsProblem('CERT_HAS_EXPIRED')).toBe('expired');
    expect(tlsProblem('CERT_NOT_YET_VALID')).toBe('not-yet-valid');
    expect(tlsProblem('ERR_TLS_CERT_ALTNAME_INVALID')).toBe('wrong-name');
    expect(tlsProblem('SELF_SIGNED_CERT_IN_CHAIN')).toBe('untrusted');
  });

  it('reads the TCP outcome from the socket error', () => {
    expect(tcpState('ECONNREFUSED')).toBe('refused');
    expect(tcpState('ETIMEDOUT')).toBe('timeout');
    expect(tcpState('EHOSTUNREACH')).toBe('unreachable');
  });
});
