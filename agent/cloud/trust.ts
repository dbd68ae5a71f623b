import { createHash, X509Certificate } from 'node:crypto';
import { lookup as systemLookup } from 'node:dns';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { isIPv4, type LookupFunction } from 'node:net';
import tls, { type PeerCertificate, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { types } from 'node:util';
import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import type { AgentConfig } from '../config';

// How the box trusts the cloud. Beyond loopback it speaks only TLS 1.3, checks
// the certificate against the system store or its own CA file, and, when the
// config pins keys, also the leaf certificate's key. Every connection to the
// cloud (socket.io link, enrollment) goes through the agent built here, so the
// device token and the enrollment code never cross a connection that was not
// verified.

export type CloudTrustConfig = Pick<AgentConfig, 'apiUrl' | 'tls'>;

/** How one connection reaches the cloud: from which local address, resolving names how. */
export interface CloudRoute {
  /** Binds the socket to this local address (e.g. the LTE interface's). */
  localAddress?: string;
  /**
   * Resolves the cloud's name (another resolver, a remembered address). Node may
   * call it with `options.all` set: it must then answer with an array.
   */
  lookup?: LookupFunction;
}

const loopbackOnly = 'plain http is only for loopback (127.0.0.0/8, ::1, localhost)';

/** Why the box must not connect to this URL, or undefined when it may. */
export function cloudUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${JSON.stringify(url.slice(0, 200))} is not a URL`;
  }
  if (parsed.protocol === 'https:' || parsed.protocol === 'wss:') return undefined;
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'ws:') {
    return `${parsed.protocol} is not a way to the cloud: use https://`;
  }
  if (isLoopbackName(parsed.hostname)) return undefined;
  return `plain ${parsed.protocol.slice(0, -1)} to ${parsed.hostname} would send the device token unverified and unencrypted: use https:// (${loopbackOnly})`;
}

function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || isLoopbackAddress(hostname);
}

function isLoopbackAddress(address: string): boolean {
  return (isIPv4(address) && address.startsWith('127.')) || address === '::1';
}

/**
 * The agent every request to the cloud goes through: `https.request(url, { agent })`
 * (or `http.request` for a loopback http URL). Throws when the URL is not allowed
 * or the CA file cannot be read, before anything connects. A route given as a
 * function is asked at each new connection: the cloud link's path may change.
 */
export function cloudRequestAgent(
  config: CloudTrustConfig,
  route: CloudRoute | (() => CloudRoute) = {},
): http.Agent {
  const problem = cloudUrlProblem(config.apiUrl);
  if (problem) throw new Error(`apiUrl: ${problem}`);
  const routeNow = typeof route === 'function' ? route : () => route;
  const { protocol } = new URL(config.apiUrl);
  if (protocol === 'http:' || protocol === 'ws:') return new LoopbackAgent(routeNow);
  return new CloudAgent(
    {
      minVersion: 'TLSv1.3',
      // Explicit: these options override whatever a caller passes per request.
      rejectUnauthorized: true,
      ...(config.tls.caFile && { ca: readCa(config.tls.caFile) }),
      ...(config.tls.pins && { checkServerIdentity: pinnedIdentity(config.tls.pins) }),
      // A resumed TLS session skips checkServerIdentity (and so the pin): verify every connection in full.
      maxCachedSessions: 0,
    },
    routeNow,
  );
}

/** The socket options of a route: only what it sets, so Node's defaults stay otherwise. */
function routeOptions({ localAddress, lookup }: CloudRoute) {
  return { ...(localAddress && { localAddress }), ...(lookup && { lookup }) };
}

/**
 * Options to spread into `io(url, {...})`. engine.io-client hands only a few
 * options on to `ws` (not `minVersion` nor `lookup`), but it hands on `agent`,
 * and Node lets the agent's own options win over the request's: so everything
 * lives in the agent. Websocket only: the polling transport would not use it.
 */
export function cloudConnectOptions(
  config: CloudTrustConfig,
  route: CloudRoute | (() => CloudRoute) = {},
): Pick<ManagerOptions & SocketOptions, 'agent' | 'transports'> {
  return {
    transports: ['websocket'],
    // engine.io-client types `agent` for browsers; in Node it goes to `ws` as an http(s).Agent.
    agent: cloudRequestAgent(config, route) as unknown as string,
  };
}

const caFiles = new Map<string, Buffer>();

/** Read once per file: the config does not change while the agent runs. */
function readCa(file: string): Buffer {
  let pem = caFiles.get(file);
  if (pem) return pem;
  try {
    pem = readFileSync(file);
  } catch (err) {
    throw new Error(
      `tls.caFile: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`tls.caFile: ${file} holds no PEM certificate`);
  }
  caFiles.set(file, pem);
  return pem;
}

/**
 * The pin of a certificate's key: base64 sha256 of its DER SubjectPublicKeyInfo.
 * Not Node's `cert.pubkey`: for an EC key that is the bare point, not the SPKI.
 */
function spkiPin(cert: PeerCertificate): string {
  const spki = new X509Certificate(cert.raw).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

const pinMismatch = 'ERR_CLOUD_KEY_NOT_PINNED';

function pinnedIdentity(pins: string[]): typeof tls.checkServerIdentity {
  return (host, cert) => {
    const nameProblem = tls.checkServerIdentity(host, cert);
    if (nameProblem) return nameProblem;
    const pin = spkiPin(cert);
    if (pins.includes(pin)) return undefined;
    return Object.assign(
      new Error(`its key (pin ${pin}) matches none of the ${pins.length} pins in tls.pins`),
      { code: pinMismatch },
    );
  };
}

/** For plain http: whatever resolves the name, the socket only ever goes to a loopback address. */
function loopbackLookup(resolve: LookupFunction): LookupFunction {
  return (hostname, options, callback) =>
    resolve(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const outside = addresses.find((a) => !isLoopbackAddress(a));
      if (outside === undefined) return callback(null, address, family);
      const refused = new Error(`${hostname} resolved to ${outside}: ${loopbackOnly}`);
      callback(Object.assign(refused, { code: 'ERR_CLOUD_NOT_LOOPBACK' }), '', 0);
    });
}

const validityOf = Symbol('the refused certificate validity');
type Validity = { validFrom: string; validTo: string };

type ConnectionCallback = (err: Error | null, stream: Duplex) => void;

/** Plain http, for loopback only: whatever the route resolves, the socket stays on loopback. */
class LoopbackAgent extends http.Agent {
  constructor(private readonly route: () => CloudRoute) {
    super();
  }

  override createConnection(options: http.ClientRequestArgs, callback?: ConnectionCallback) {
    const { localAddress, lookup } = this.route();
    return super.createConnection(
      {
        ...options,
        ...(localAddress && { localAddress }),
        lookup: loopbackLookup(lookup ?? systemLookup),
      },
      callback,
    );
  }
}

/** Connects on the route of the moment; keeps the dates of a certificate that fails verification. */
class CloudAgent extends https.Agent {
  constructor(
    options: https.AgentOptions,
    private readonly route: () => CloudRoute,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: ConnectionCallback,
  ): Duplex | null | undefined {
    const socket = super.createConnection(
      { ...options, ...routeOptions(this.route()) },
      callback,
    ) as TLSSocket | null | undefined;
    let validity: Validity | undefined;
    // 'secure' comes before Node verifies the peer; the refusal's 'error' after it.
    socket?.prependOnceListener('secure', () => {
      const { valid_from, valid_to } = socket.getPeerCertificate();
      if (valid_to) validity = { validFrom: valid_from, validTo: valid_to };
    });
    socket?.prependOnceListener('error', (err) => {
      if (validity) Object.assign(err, { [validityOf]: validity });
    });
    return socket;
  }
}

const untrustedIssuer = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'CERT_REVOKED',
]);
// OpenSSL's words when the two sides share no TLS version (the code is only EPROTO).
const noCommonVersion = /alert protocol version|unsupported protocol|no protocols available/;

/**
 * The log line for a connection refused because the box does not trust the
 * server (unknown CA, expired, another name, key not pinned, no TLS 1.3);
 * undefined for anything else (refused, timed out, unreachable). Looks through
 * socket.io's wrapping: `connect_error` carries the `ws` error event in `description`.
 */
export function trustFailure(err: unknown): string | undefined {
  for (const cause of causes(err)) {
    const why = reason(cause);
    if (why) return `refused the cloud's certificate: ${why}; nothing was sent`;
  }
  return undefined;
}

function reason(err: Error & { code?: unknown; reason?: unknown }): string | undefined {
  const code = typeof err.code === 'string' ? err.code : '';
  const validity = (err as { [validityOf]?: Validity })[validityOf];
  if (code === 'CERT_HAS_EXPIRED') {
    return `it expired${validity ? ` on ${isoDate(validity.validTo)}` : ''} (or the box's clock is wrong)`;
  }
  if (code === 'CERT_NOT_YET_VALID') {
    return `it is not valid before ${validity ? isoDate(validity.validFrom) : 'a later date'} (is the box's clock right?)`;
  }
  if (untrustedIssuer.has(code)) {
    return `it was not issued by a CA the box trusts (tls.caFile, else the system store): ${err.message}`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `it is for another name (${typeof err.reason === 'string' ? err.reason : err.message})`;
  }
  if (code === pinMismatch) return err.message;
  if (code === 'EPROTO' && noCommonVersion.test(err.message)) {
    return 'the server does not speak TLS 1.3';
  }
  return undefined;
}

function isoDate(opensslDate: string): string {
  const date = new Date(opensslDate);
  return Number.isNaN(date.getTime()) ? opensslDate : date.toISOString();
}

/** The error and what it wraps: `cause`, an error event's `error`, engine.io's `description`. */
function* causes(err: unknown, depth = 0): Generator<Error & { code?: unknown }> {
  if (depth > 4 || typeof err !== 'object' || err === null) return;
  // Not `instanceof`: Node's own errors may come from another realm (a test runner's vm).
  if (types.isNativeError(err)) yield err;
  const wrapper = err as { cause?: unknown; error?: unknown; description?: unknown };
  for (const inner of [wrapper.cause, wrapper.error, wrapper.description]) {
    yield* causes(inner, depth + 1);
  }
}
