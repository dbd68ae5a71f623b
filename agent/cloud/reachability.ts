import http from 'node:http';
import https from 'node:https';

/** Whether the cloud answers an http(s) request through this agent at all (any status counts). */
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
