import { CodecRequest, codecPath } from '../routes/codec';
import { type RouteSpec } from '../routeSpec';

// The Temporal UI's remote codec (api/routes/codec.ts).

export const codecRoutes: RouteSpec[] = [
  ...(['decode', 'encode'] as const).map((direction): RouteSpec => ({
    method: 'POST',
    path: `${codecPath}/${direction}`,
    summary: `The Temporal UI's remote codec: ${direction}s Temporal payloads (base64, X-Namespace header); CORS for the Temporal UI's origin only`,
    access: { roles: ['operator'] },
    body: CodecRequest,
    response: CodecRequest,
    answers: {
      '400': 'UNKNOWN_NAMESPACE: X-Namespace names another namespace',
      '403': "CORS_REFUSED: called from a page that is not the Temporal UI's",
      '413': 'The body is larger than 4 MB',
      '422': 'CODEC_FAILED: a payload could not be decrypted (unknown key id, altered)',
    },
  })),
];
