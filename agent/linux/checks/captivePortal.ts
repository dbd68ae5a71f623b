import http from 'node:http';
import type { AgentConfig } from '../../config';
import type { Measured } from '../checks';
import { addressOf } from './resolve';

// A page whose body the box knows, fetched by plain HTTP as a browser would
// (names through the configured resolver, no redirects followed). A captive
// portal answers with a redirect or its own login page; a transparent proxy
// leaves its headers. Only the first 64 kB of a body are read.

type Data = Measured<'captive_portal'>['data'];
type Finding = Data['findings'][number];

const TIMEOUT_MS = 8000;
const MAX_BODY = 64 * 1024;
/** Headers caches and proxies add to what they pass on. */
const proxyHeaderNames = [
  'via',
  'x-cache',
  'x-cache-lookup',
  'x-cache-status',
  'x-squid-error',
  'x-proxy-id',
  'x-bluecoat-via',
  'proxy-connection',
];

export interface PageFetched {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What differs from the expected page, and what of it the advisor may see. */
export function judgePage(page: PageFetched, expectedBody: string) {
  const findings: Finding[] = [];
  const location = page.headers.location;
  if (page.status >= 300 && page.status < 400) findings.push('redirected');
  else if (page.status !== 200) findings.push('unexpected-status');
  const bodyDiffers = !page.body.includes(expectedBody);
  if (bodyDiffers) findings.push('different-body');
  const proxyHeaders = proxyHeaderNames
    .filter((name) => page.headers[name] !== undefined)
    .map((name) => ({ name, value: String(page.headers[name]).slice(0, 256) }));
  if (proxyHeaders.length > 0) findings.push('proxy-headers');
  return {
    findings,
    proxyHeaders,
    location: typeof location === 'string' ? location.slice(0, 2048) : undefined,
    bodyExcerpt: bodyDiffers ? page.body.slice(0, 200) : undefined,
  };
}

function fetchPage(url: string, address: string): Promise<PageFetched> {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve, reject) => {
    // To the looked-up address, with the name in the Host header, as a browser sends it.
    const options = {
      host: address,
      port: port || 80,
      path: pathname + search,
      timeout: TIMEOUT_MS,
      headers: { host: port ? `${hostname}:${port}` : hostname, 'user-agent': 'zen-agent' },
      // A new connection every time: a kept-alive one from before a fix still ends where it did.
      agent: false,
    };
    const req = http.get(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.length >= MAX_BODY) res.destroy();
      });
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      res.on('end', done);
      res.on('close', done);
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
  });
}

export async function captivePortal(config: AgentConfig): Promise<Measured<'captive_portal'>> {
  const { url, expectedBody } = config.captivePortal;
  const unreached = { ok: false, data: { url, reached: false, proxyHeaders: [], findings: [] } };
  const address = await addressOf(new URL(url).hostname, config.resolvConfPath);
  if (!address) return unreached;
  const started = performance.now();
  const page = await fetchPage(url, address).catch(() => undefined);
  if (!page) return unreached;
  const judged = judgePage(page, expectedBody);
  const data = {
    url,
    reached: true,
    status: page.status,
    totalMs: Math.round(performance.now() - started),
    ...judged,
  };
  return { ok: judged.findings.length === 0, data };
}
