import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { LookupFunction } from 'node:net';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import type { AgentConfig } from '../config';
import {
  makeCa,
  opensslPin,
  selfSigned,
  type KeyPair,
  type TestCa,
} from '../../test/support/testCa';
import { cloudConnectOptions, cloudRequestAgent, cloudUrlProblem, trustFailure } from './trust';

// The box against real TLS servers on loopback: one it trusts and the ways
// another can fail to be it. Whatever fails, the device token never arrives.

const cloudName = 'cloud.example.net';
const token = 'zd_the-device-token-value';

/** The cloud's name resolves to loopback through the route's own lookup, as it would through another resolver. */
const lookups: string[] = [];
const toLoopback: LookupFunction = (hostname, options, callback) => {
  lookups.push(hostname);
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

interface Cloud {
  port: number;
  /** Every handshake's auth.token that reached the /device namespace. */
  tokens: unknown[];
  close(): Promise<void>;
}

async function startCloud(
  pair: KeyPair,
  port = 0,
  tlsOptions: https.ServerOptions = {},
): Promise<Cloud> {
  const server = https.createServer({ cert: pair.cert, key: pair.key, ...tlsOptions });
  const sockets = new Server(server, { transports: ['websocket'] });
  const tokens: unknown[] = [];
  sockets.of('/device').use((socket, next) => {
    tokens.push((socket.handshake.auth as { token?: unknown }).token);
    next();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    tokens,
    close: async () => {
      await sockets.close();
      server.closeAllConnections();
    },
  };
}

type Outcome = { connected: true } | { connected: false; error: Error };

function connect(port: number, tls: AgentConfig['tls']): Promise<Outcome> {
  const apiUrl = `https://${cloudName}:${port}`;
  const socket = io(`${apiUrl}/device`, {
    ...cloudConnectOptions({ apiUrl, tls }, { lookup: toLoopback }),
    auth: { token },
    reconnection: false,
    timeout: 5000,
  });
  return new Promise<Outcome>((resolve) => {
    socket.on('connect', () => resolve({ connected: true }));
    socket.on('connect_error', (error) => resolve({ connected: false, error }));
  }).finally(() => socket.disconnect());
}

let dir: string;
let ca: TestCa;
let otherCa: TestCa;
let good: KeyPair;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'zen-trust-'));
  ca = makeCa(dir, 'zen-test-ca');
  otherCa = makeCa(dir, 'unrelated-ca');
  good = ca.issue([cloudName]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the box connects only to a cloud it can verify', () => {
  let cloud: Cloud;
  beforeEach(async () => {
    cloud = await startCloud(good);
    lookups.length = 0;
  });
  afterEach(() => cloud.close());

  const refused = async (
    tls: AgentConfig['tls'],
    line: RegExp,
    target: Cloud = cloud,
  ): Promise<void> => {
    const outcome = await connect(target.port, tls);
    expect(outcome.connected).toBe(false);
    if (outcome.connected) return;
    expect(trustFailure(outcome.error)).toMatch(line);
    expect(trustFailure(outcome.error)).toMatch(
      /^refused the cloud's certificate: .*; nothing was sent$/,
    );
    expect(target.tokens).toEqual([]);
  };

  it('accepts the cloud signed by its CA file, through its own lookup, and the token arrives', async () => {
    expect(await connect(cloud.port, { caFile: ca.certFile })).toEqual({ connected: true });
    expect(cloud.tokens).toEqual([token]);
    expect(lookups).toContain(cloudName);
  });

  it('refuses a certificate from a CA it does not trust (here: the system store)', async () => {
    await refused({}, /not issued by a CA the box trusts/);
    await refused({ caFile: otherCa.certFile }, /not issued by a CA the box trusts/);
  });

  it('refuses an expired certificate and says when it expired', async () => {
    const expired = await startCloud(
      ca.issue([cloudName], { start: '20200101000000Z', end: '20200102000000Z' }),
    );
    try {
      await refused({ caFile: ca.certFile }, /it expired on 2020-01-02T00:00:00\.000Z/, expired);
    } finally {
      await expired.close();
    }
  });

  it('refuses a certificate for another name', async () => {
    const elsewhere = await startCloud(ca.issue(['other.example.net']));
    try {
      await refused({ caFile: ca.certFile }, /it is for another name/, elsewhere);
    } finally {
      await elsewhere.close();
    }
  });

  it('checks the pin against the key openssl computes, and accepts the backup pin', async () => {
    const pin = opensslPin(good.certFile);
    const otherPin = opensslPin(otherCa.issue([cloudName]).certFile);
    await refused({ caFile: ca.certFile, pins: [otherPin] }, /matches none of the 1 pins/);
    expect(await connect(cloud.port, { caFile: ca.certFile, pins: [otherPin, pin] })).toEqual({
      connected: true,
    });
    expect(cloud.tokens).toEqual([token]);
  });

  it('refuses a second server answering on the same address with another certificate', async () => {
    const tls = { caFile: ca.certFile, pins: [opensslPin(good.certFile)] };
    expect(await connect(cloud.port, tls)).toEqual({ connected: true });
    await cloud.close();
    for (const impostor of [selfSigned(dir, 'impostor', [cloudName]), otherCa.issue([cloudName])]) {
      const second = await startCloud(impostor, cloud.port);
      try {
        await refused(tls, /not issued by a CA the box trusts/, second);
      } finally {
        await second.close();
      }
    }
    // Even one from the box's own CA: its key is not the pinned one.
    const sameCa = await startCloud(ca.issue([cloudName]), cloud.port);
    try {
      await refused(tls, /its key \(pin [A-Za-z0-9+/]{43}=\) matches none of the 1 pins/, sameCa);
    } finally {
      await sameCa.close();
    }
    cloud = await startCloud(good);
  });

  it('refuses a server without TLS 1.3', async () => {
    const old = await startCloud(good, 0, { maxVersion: 'TLSv1.2' });
    try {
      await refused({ caFile: ca.certFile }, /does not speak TLS 1\.3/, old);
    } finally {
      await old.close();
    }
  });

  it('does not call a network failure a trust failure', async () => {
    const port = cloud.port;
    await cloud.close();
    const outcome = await connect(port, { caFile: ca.certFile });
    expect(outcome.connected).toBe(false);
    if (!outcome.connected) expect(trustFailure(outcome.error)).toBeUndefined();
    cloud = await startCloud(good);
  });
});

describe('plain http only for loopback', () => {
  it('names the problem for http or ws beyond loopback, and nothing else', () => {
    for (const url of ['http://cloud.example.net', 'ws://192.168.1.10:4000', 'http://[::2]/']) {
      expect(cloudUrlProblem(url)).toMatch(/^plain (http|ws) to .* use https:\/\//);
    }
    expect(cloudUrlProblem('ftp://cloud.example.net')).toMatch(/use https/);
    expect(cloudUrlProblem('not a url')).toMatch(/is not a URL/);
    for (const url of [
      'https://cloud.example.net',
      'wss://cloud.example.net',
      'http://127.0.0.1:4000',
      'http://127.8.9.10',
      'http://localhost:4000',
      'http://[::1]:4000',
    ]) {
      expect(cloudUrlProblem(url)).toBeUndefined();
    }
  });

  it('refuses such a URL before anything connects (the config refuses it too: config.test.ts)', () => {
    const config = { apiUrl: 'http://cloud.example.net', tls: {} };
    expect(() => cloudConnectOptions(config)).toThrow(/^apiUrl: plain http to cloud\.example\.net/);
    expect(() => cloudRequestAgent(config)).toThrow(/plain http/);
  });

  it('sends plain http to loopback addresses only, whatever the name resolves to', async () => {
    const elsewhere: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: '192.0.2.7', family: 4 }]);
      else callback(null, '192.0.2.7', 4);
    };
    const agent = cloudRequestAgent(
      { apiUrl: 'http://localhost:9', tls: {} },
      { lookup: elsewhere },
    );
    const error = await new Promise<Error>((resolve) => {
      http.get('http://localhost:9/', { agent }).on('error', resolve);
    });
    expect(error.message).toMatch(
      /localhost resolved to 192\.0\.2\.7: plain http is only for loopback/,
    );
  });

  it('says clearly when the CA file cannot be read', () => {
    const config = {
      apiUrl: 'https://cloud.example.net',
      tls: { caFile: path.join(dir, 'none.pem') },
    };
    expect(() => cloudConnectOptions(config)).toThrow(/^tls\.caFile: cannot read .*none\.pem/);
  });
});
