import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { z } from 'zod';
import { EnrollDeviceRequest } from '../contracts/api';
import { cloudRequestAgent, trustFailure } from './cloud/trust';
import type { AgentConfig } from './config';

// `--enroll <code>`: the Pi trades the one-time code a person got from the
// portal for its device token, and keeps the token in a file only it can read.

export interface EnrollOptions {
  apiUrl: string;
  /** How the box trusts the cloud (the config's `tls`); the system store when absent. */
  tls?: AgentConfig['tls'];
  code: string;
  deviceId: string;
  serialNumber: string;
  tokenPath: string;
  /** Replace a token that is already there (the device is being re-enrolled). */
  overwrite?: boolean;
  timeoutMs?: number;
}

const EnrollResponse = z.object({
  deviceToken: z.string().regex(/^zd_[\w-]{10,200}$/),
  cloudEndpoint: z.string().max(2048),
});

export class EnrollmentError extends Error {}

export async function enroll(options: EnrollOptions): Promise<{ cloudEndpoint: string }> {
  if (!options.overwrite && existsSync(options.tokenPath)) {
    throw new EnrollmentError(
      `${options.tokenPath} already holds a device token; enroll again only to replace it (--force)`,
    );
  }
  const request = EnrollDeviceRequest.safeParse({
    code: options.code,
    deviceId: options.deviceId,
    serialNumber: options.serialNumber,
  });
  if (!request.success) throw new EnrollmentError(z.prettifyError(request.error));
  let agent: http.Agent;
  try {
    // The code, and the token coming back, cross only a connection verified like the link's.
    agent = cloudRequestAgent({ apiUrl: options.apiUrl, tls: options.tls ?? {} });
  } catch (err) {
    throw new EnrollmentError((err as Error).message);
  }
  const url = new URL('/api/device/enroll', options.apiUrl);
  let status: number;
  let answer: unknown;
  try {
    ({ status, answer } = await postJson(url, request.data, agent, options.timeoutMs ?? 15_000));
  } catch (err) {
    const why =
      (err as Error).name === 'AbortError'
        ? `no answer within ${options.timeoutMs ?? 15_000} ms`
        : (err as Error).message;
    throw new EnrollmentError(trustFailure(err) ?? `Cannot reach ${url.origin}: ${why}`);
  } finally {
    agent.destroy();
  }
  if (status !== 201) {
    const reason = (answer as { error?: unknown } | undefined)?.error;
    throw new EnrollmentError(
      `Enrollment refused (${status}): ${typeof reason === 'string' ? reason.slice(0, 300) : 'no reason given'}`,
    );
  }
  const { deviceToken, cloudEndpoint } = EnrollResponse.parse(answer);
  writeSecret(options.tokenPath, deviceToken, Boolean(options.overwrite));
  return { cloudEndpoint };
}

const maxAnswerBytes = 64 * 1024;

/** One JSON POST through the given agent; the answer's body is JSON or undefined. */
function postJson(
  url: URL,
  body: unknown,
  agent: http.Agent,
  timeoutMs: number,
): Promise<{ status: number; answer: unknown }> {
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxAnswerBytes) req.destroy(new Error('the answer is too large'));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          let answer: unknown;
          try {
            answer = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            answer = undefined;
          }
          resolve({ status: res.statusCode ?? 0, answer });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Written to a 0600 temporary file first, so no reader ever sees half a token. */
function writeSecret(file: string, secret: string, overwrite: boolean): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${secret}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    // link() refuses an existing file: a token that appeared meanwhile is kept.
    if (overwrite) renameSync(tmp, file);
    else linkSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The Pi's serial number (from the firmware), and the device id derived from it. */
export function piIdentity(read: (file: string) => string = (f) => readFileSync(f, 'utf8')): {
  deviceId: string;
  serialNumber: string;
} {
  const attempts: Array<() => string | undefined> = [
    () => read('/sys/firmware/devicetree/base/serial-number').replace(/\0/g, '').trim(),
    () => /^Serial\s*:\s*(\w+)/m.exec(read('/proc/cpuinfo'))?.[1],
    () => read('/etc/machine-id').trim(),
  ];
  for (const attempt of attempts) {
    let serial: string | undefined;
    try {
      serial = attempt();
    } catch {
      continue; // Not on this machine: try the next source.
    }
    if (serial && /^\w{4,64}$/.test(serial)) {
      return { serialNumber: serial, deviceId: `pi-${serial.slice(-8).toLowerCase()}` };
    }
  }
  throw new EnrollmentError('Cannot read a serial number: pass --serial and --device-id');
}
