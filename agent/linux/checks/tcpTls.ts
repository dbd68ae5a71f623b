import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { AgentConfig } from '../../config';
import type { Measured } from '../checks';
import { addressOf } from './resolve';

// A TCP connect to each target, then a TLS handshake whose certificate is
// judged rather than refused: expired, not yet valid (often the box's or the
// server's clock), the wrong name, or a chain nobody trusts (an intercepting
// proxy). A firewall that drops or rejects a port shows as timeout or refused.

type Target = Measured<'tcp_tls'>['data']['targets'][number];
type TlsView = NonNullable<Target['tls']>;
type TcpState = Target['tcp'];

const CONNECT_TIMEOUT_MS = 4000;
const HANDSHAKE_TIMEOUT_MS = 4000;

const problemOfCode: Record<string, TlsView['problem']> = {
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'wrong-name',
};

/** The problem a certificate verification error stands for; anything else is an untrusted chain. */
export function tlsProblem(code: string): TlsView['problem'] {
  return problemOfCode[code] ?? 'untrusted';
}

/** The TCP outcome a socket error stands for. */
export function tcpState(code: string | undefined): TcpState {
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return 'refused';
  if (code === 'ETIMEDOUT') return 'timeout';
  return 'unreachable';
}

const elapsed = (since: number) => Math.round((performance.now() - since) * 10) / 10;

function connect(address: string, port: number): Promise<net.Socket | TcpState> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port, timeout: CONNECT_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(tcpState(err.code)));
  });
}

function handshake(socket: net.Socket, host: string, ca?: string): Promise<TlsView> {
  const started = performance.now();
  return new Promise((resolve) => {
    const secure = tls.connect({
      socket,
      host,
      servername: net.isIP(host) ? undefined : host,
      ca,
      // Judged below instead: a refused certificate is what this check reports.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(
      () => secure.destroy(new Error('no TLS handshake in time')),
      HANDSHAKE_TIMEOUT_MS,
    );
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = secure.getPeerCertificate();
      const code = secure.authorized ? undefined : String(secure.authorizationError);
      resolve({
        ok: secure.authorized,
        problem: code ? tlsProblem(code) : undefined,
        detail: code?.slice(0, 200),
        protocol: secure.getProtocol() ?? undefined,
        handshakeMs: elapsed(started),
        validFrom: cert.valid_from?.slice(0, 40),
        validTo: cert.valid_to?.slice(0, 40),
        subject: cert.subject?.CN ? String(cert.subject.CN).slice(0, 256) : undefined,
        issuer: cert.issuer?.CN ? String(cert.issuer.CN).slice(0, 256) : undefined,
      });
      secure.end();
    });
    secure.once('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, problem: 'handshake-failed', detail: err.message.slice(0, 200) });
    });
  });
}

async function tryTarget(
  target: { host: string; port: number; tls: boolean },
  config: AgentConfig,
  ca?: string,
): Promise<Target> {
  const { host, port } = target;
  const address = await addressOf(host, config.resolvConfPath);
  if (!address) return { host, port, tcp: 'no-address' };
  const started = performance.now();
  const socket = await connect(address, port);
  if (typeof socket === 'string') return { host, port, address, tcp: socket };
  const connectMs = elapsed(started);
  if (!target.tls) {
    socket.destroy();
    return { host, port, address, tcp: 'open', connectMs };
  }
  return { host, port, address, tcp: 'open', connectMs, tls: await handshake(socket, host, ca) };
}

/** The configured targets; by default DNS over TLS at the reference resolver and HTTPS at httpUrl's host. */
export function tcpTlsTargets(config: AgentConfig) {
  return (
    config.tcpTls.targets ?? [
      { host: config.referenceResolver, port: 853, tls: true },
      { host: new URL(config.httpUrl).hostname, port: 443, tls: true },
    ]
  );
}

export async function tcpTls(config: AgentConfig): Promise<Measured<'tcp_tls'>> {
  const ca = config.tcpTls.caFile ? readFileSync(config.tcpTls.caFile, 'utf8') : undefined;
  const targets = await Promise.all(tcpTlsTargets(config).map((t) => tryTarget(t, config, ca)));
  const ok = targets.every((t) => t.tcp === 'open' && (t.tls === undefined || t.tls.ok));
  return { ok, data: { targets } };
}
