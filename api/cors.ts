import type { RequestHandler } from 'express';

// Cross-origin calls only from the origins in CORS_ORIGINS. The portal proxies
// /api on its own origin, so by default no other origin is allowed at all.

export function corsAllowlist(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.get('origin');
    res.vary('Origin');
    if (!origin || !allowed.has(origin)) {
      // A preflight from a stranger gets no CORS headers: the browser refuses.
      if (req.method === 'OPTIONS' && origin) {
        res.status(403).json({ error: 'Origin not allowed', code: 'CORS_REFUSED' });
        return;
      }
      next();
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET,POST,PUT,PATCH,DELETE');
      res.setHeader('Access-Control-Allow-Headers', 'authorization,content-type,x-request-id');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
