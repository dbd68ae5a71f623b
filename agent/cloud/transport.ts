import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { Duplex } from 'node:stream';

// Every connection the box opens to the cloud goes through one of these agents:
// socket.io's websocket and the background checks alike. Each new connection asks
// which way to go at that moment, so a path switch needs only a reconnect.

export interface Route {
  /** Bind to this address (the LTE interface's, which the policy rule routes over LTE). */
  localAddress?: string;
  lookup: LookupFunction;
}

type Callback = (err: Error | null, stream: Duplex) => void;

/** An http(s) agent that connects with the trust settings and the route chosen now. */
export function createCloudAgent(
  apiUrl: URL,
  trust: ConnectionOptions,
  route: () => Route,
): http.Agent {
  if (apiUrl.protocol === 'https:' || apiUrl.protocol === 'wss:') {
    return new (class extends https.Agent {
      override createConnection(options: https.RequestOptions, callback?: Callback) {
        return super.createConnection({ ...options, ...trust, ...route() }, callback);
      }
    })();
  }
  return new (class extends http.Agent {
    override createConnection(options: http.ClientRequestArgs, callback?: Callback) {
      return super.createConnection({ ...options, ...route() }, callback);
    }
  })();
}

/** Whether the cloud answers an https request through this agent at all (any status counts). */
export function cloudAnswers(apiUrl: URL, agent: http.Agent, timeoutMs: number): Promise<boolean> {
  const request = apiUrl.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve) => {
    const req = request(new URL('/api/health', apiUrl), { agent, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', () => resolve(false));
    req.end();
  });
}
