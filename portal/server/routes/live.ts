import type { Peer } from 'crossws';
import WebSocket from 'ws';

// The live socket (socket.io) reaches the API through the portal's own origin, as /api/** does:
// the browser keeps one origin, its httpOnly session cookie goes along, and the API needs no
// CORS. The browser's socket.io client uses the path /live; it maps to the API's /socket.io/.
// HTTP long-polling is proxied like any request; a WebSocket is bridged message by message to
// a WebSocket from the portal server to the API, carrying the browser's cookie.

const upstreams = new Map<string, { socket: WebSocket; pending: string[] }>();

/** The API's socket.io URL for a request to /live?… (same query). */
function upstreamUrl(apiUrl: string, search: string): string {
  return `${apiUrl.replace(/\/+$/, '')}/socket.io/${search}`;
}

/** Close codes 1005 and 1006 only describe a close: they may not be sent. */
function sendableCode(code: number | undefined): number {
  return code === 1000 || (code !== undefined && code >= 3000 && code < 5000) ? code : 1011;
}

export default defineEventHandler({
  handler: async (event) => {
    const { apiUrl } = useRuntimeConfig(event);
    return proxyRequest(event, upstreamUrl(apiUrl, getRequestURL(event).search));
  },
  websocket: {
    open(peer: Peer) {
      const request = peer.request as { url: string; headers: Headers };
      const target = upstreamUrl(useRuntimeConfig().apiUrl, new URL(request.url).search);
      const socket = new WebSocket(target.replace(/^http/, 'ws'), {
        headers: {
          cookie: request.headers.get('cookie') ?? '',
          'user-agent': request.headers.get('user-agent') ?? 'zen-portal',
          'x-forwarded-for': peer.remoteAddress ?? '',
        },
      });
      const link = { socket, pending: [] as string[] };
      upstreams.set(peer.id, link);
      socket.on('open', () => {
        for (const message of link.pending.splice(0)) socket.send(message);
      });
      // socket.io's portal protocol is text; binary frames pass through as binary.
      socket.on('message', (data: Buffer, isBinary: boolean) =>
        peer.send(isBinary ? data : data.toString('utf8')),
      );
      socket.on('close', (code: number) => {
        upstreams.delete(peer.id);
        peer.close(sendableCode(code));
      });
      socket.on('error', () => {
        upstreams.delete(peer.id);
        peer.close(1011);
      });
    },
    message(peer: Peer, message) {
      const link = upstreams.get(peer.id);
      if (!link) return;
      // The browser's frames arrive without their text/binary flag: socket.io's are text.
      const text = message.text();
      if (link.socket.readyState === WebSocket.OPEN) link.socket.send(text);
      else link.pending.push(text);
    },
    close(peer: Peer) {
      upstreams.get(peer.id)?.socket.close();
      upstreams.delete(peer.id);
    },
    error(peer: Peer) {
      upstreams.get(peer.id)?.socket.terminate();
      upstreams.delete(peer.id);
    },
  },
});
