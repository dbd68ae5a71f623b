import { z } from 'zod';
import { casesRoutes } from './routeSpecs/cases';
import { codecRoutes } from './routeSpecs/codec';
import { customersRoutes } from './routeSpecs/customers';
import { devicesRoutes } from './routeSpecs/devices';
import { identityRoutes } from './routeSpecs/identity';
import { platformRoutes } from './routeSpecs/platform';
import { privacyRoutes } from './routeSpecs/privacy';
import { tenancyRoutes } from './routeSpecs/tenancy';
import { tokensRoutes } from './routeSpecs/tokens';
import type { RouteSpec } from './routeSpec';

// The HTTP API as data: every route, who may call it, and the zod schema its
// input is parsed with. Served as OpenAPI 3.1 at /api/openapi.json; a test
// holds this list and the express app to each other, and the fuzz run uses
// it to know which answers would be unauthorized successes.

export type { Access, RouteSpec } from './routeSpec';

export const routes: RouteSpec[] = [
  ...platformRoutes,
  ...casesRoutes,
  ...devicesRoutes,
  ...identityRoutes,
  ...customersRoutes,
  ...tenancyRoutes,
  ...tokensRoutes,
  ...privacyRoutes,
  ...codecRoutes,
];

const error = {
  type: 'object',
  required: ['error', 'code'],
  properties: { error: { type: 'string' }, code: { type: 'string' }, details: {} },
};

function schemaOf(type: z.ZodType, io: 'input' | 'output' = 'input') {
  // Requests as callers send them (defaults are optional for them), answers as they come.
  const schema: Record<string, unknown> = z.toJSONSchema(type, { io, unrepresentable: 'any' });
  delete schema.$schema;
  return schema;
}

function operation(route: RouteSpec) {
  const params = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string', maxLength: 100 },
  }));
  const query = route.query
    ? Object.entries(
        (schemaOf(route.query) as { properties?: Record<string, unknown> }).properties ?? {},
      ).map(([name, schema]) => ({ name, in: 'query', required: false, schema }))
    : [];
  const access = route.access;
  const responses: Record<string, unknown> = {
    '200': {
      description: 'Done',
      ...(route.response && {
        content: { 'application/json': { schema: schemaOf(route.response, 'output') } },
      }),
    },
    '400': { description: 'Invalid input', content: { 'application/json': { schema: error } } },
    '429': { description: 'Too many requests' },
  };
  if ('roles' in access) {
    responses['401'] = { description: 'No or unknown credentials' };
    responses['403'] = { description: `Needs the role ${access.roles.join(' or ')}` };
  }
  for (const [status, description] of Object.entries(route.answers ?? {})) {
    responses[status] = {
      description,
      ...(status === '429' && { headers: { 'Retry-After': { schema: { type: 'integer' } } } }),
      ...(status >= '400' && { content: { 'application/json': { schema: error } } }),
    };
  }
  return {
    summary: route.summary,
    'x-roles': 'roles' in access ? access.roles : [access.public],
    security: 'roles' in access ? [{ bearer: [] }, { sessionCookie: [] }] : [],
    parameters: [...params, ...query],
    ...(route.body && {
      requestBody: {
        required: true,
        content: { 'application/json': { schema: schemaOf(route.body) } },
      },
    }),
    responses,
  };
}

/** The OpenAPI 3.1 document of `routes`. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Zen & Zen Network Support API',
      version: '1',
      description:
        'Support cases, devices and sign-in. People use a bearer API token or the portal cookies; devices their device token; the worker its service token.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'zen_session' },
      },
    },
    paths,
  };
}
