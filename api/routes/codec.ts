import express, { Router, type RequestHandler } from 'express';
import cookieParser from 'cookie-parser';
import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { RequireRole } from '../auth';
import { HttpError } from '../errors';
import type { Logger } from '../../observability/logger';

// The Temporal UI's remote codec: POST /api/codec/decode and /encode with `{ payloads }` (each
// payload's metadata values and data base64, as protobuf JSON has them) and the namespace in
// X-Namespace. Only a signed-in operator gets an answer (the portal's session cookie, which the UI
// sends when told to include credentials, or a bearer token); browsers may call it only from the
// Temporal UI's origin. Mounted before the API's general CORS and body parsing: it has its own.

export const codecPath = '/api/codec';
export const CODEC_BODY_LIMIT = '4mb';

const Base64 = z
  .string()
  .max(4_000_000)
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'base64');
export const CodecPayload = z.strictObject({
  metadata: z.record(z.string().min(1).max(256), Base64).optional(),
  data: Base64.optional(),
});
export const CodecRequest = z.strictObject({ payloads: z.array(CodecPayload).max(1000) });
type CodecPayload = z.infer<typeof CodecPayload>;

export interface CodecRouteOptions {
  codec: PayloadCodec;
  /** The namespace whose payloads this codec serves; others are refused. */
  namespace: string;
  /** The Temporal UI's origin: the only page that may call from a browser. */
  uiOrigin: string;
  logger: Logger;
}

export function codecRouter(
  requireRole: RequireRole,
  { codec, namespace, uiOrigin, logger }: CodecRouteOptions,
): Router {
  const router = Router();
  router.use(uiOriginOnly(uiOrigin));
  for (const direction of ['decode', 'encode'] as const) {
    router.post(
      `/${direction}`,
      cookieParser(),
      requireRole('operator'),
      express.json({ limit: CODEC_BODY_LIMIT }),
      async (req, res) => {
        const asked = req.get('x-namespace');
        if (asked !== undefined && asked !== namespace) {
          throw new HttpError(400, 'UNKNOWN_NAMESPACE', `No codec for namespace "${asked}"`);
        }
        const { payloads } = CodecRequest.parse(req.body);
        const given = payloads.map(fromJson);
        let done: Payload[];
        try {
          done = await (direction === 'decode' ? codec.decode(given) : codec.encode(given));
        } catch (err) {
          throw new HttpError(
            422,
            'CODEC_FAILED',
            `Could not ${direction}: ${(err as Error).message}`,
          );
        }
        // Who read what: decoding shows personal data, so each use is on record.
        logger.info(
          { operator: req.principal?.id, direction, payloads: payloads.length },
          'temporal payloads through the codec',
        );
        res.json({ payloads: done.map(toJson) });
      },
    );
  }
  return router;
}

/**
 * CORS for the Temporal UI's origin alone, with credentials. A browser page of any other origin
 * is refused outright (its preflight and its request), so no page but the UI can have a signed-in
 * operator's browser decode for it. Callers without an Origin (the CLI, scripts) pass on to sign-in.
 */
function uiOriginOnly(uiOrigin: string): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('origin');
    res.vary('Origin');
    if (origin === undefined) return next();
    if (origin !== uiOrigin) {
      res.status(403).json({ error: 'Origin not allowed', code: 'CORS_REFUSED' });
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      res.setHeader(
        'Access-Control-Allow-Headers',
        'authorization,authorization-extras,content-type,x-namespace',
      );
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}

const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));
const base64 = (value: Uint8Array) => Buffer.from(value).toString('base64');

function fromJson(payload: CodecPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [name, value] of Object.entries(payload.metadata ?? {})) metadata[name] = bytes(value);
  return { metadata, data: bytes(payload.data ?? '') };
}

function toJson(payload: Payload): CodecPayload {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload.metadata ?? {})) {
    if (value) metadata[name] = base64(value);
  }
  return { metadata, data: base64(payload.data ?? new Uint8Array()) };
}
