import type { Express } from 'express';

// Every route an express app answers, read from its router: the OpenAPI
// document and the fuzz run are checked against this list, so neither can
// miss a route someone adds.

export interface RouteInfo {
  method: string;
  /** Express-style, e.g. /api/cases/:id */
  path: string;
}

interface Layer {
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

export function listRoutes(app: Express): RouteInfo[] {
  const routes: RouteInfo[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') {
            routes.push({ method: method.toUpperCase(), path: prefix + layer.route.path });
          }
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + (typeof layer.rawPath === 'string' ? layer.rawPath : ''));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return routes;
}
