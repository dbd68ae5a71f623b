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
import path from 'node:path';
import { z } from 'zod';
import { EnrollDeviceRequest } from '../contracts/api';

// `--enroll <code>`: the Pi trades the one-time code a person got from the
// portal for its device token, and keeps the token in a file only it can read.

export interface EnrollOptions {
  apiUrl: string;
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
  const body = request.data;
  const res = await fetch(new URL('/api/device/enroll', options.apiUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  const answer: unknown = await res.json().catch(() => undefined);
  if (res.status !== 201) {
    const reason = (answer as { error?: unknown } | undefined)?.error;
    throw new EnrollmentError(
      `Enrollment refused (${res.status}): ${typeof reason === 'string' ? reason.slice(0, 300) : 'no reason given'}`,
    );
  }
  const { deviceToken, cloudEndpoint } = EnrollResponse.parse(answer);
  writeSecret(options.tokenPath, deviceToken, Boolean(options.overwrite));
  return { cloudEndpoint };
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
