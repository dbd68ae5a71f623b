import type { ApiError } from '#shared/types/api';

// Same-origin proxy: the browser only ever talks to the portal, which forwards /api/** (method,
// headers incl. Authorization, body, query) to the API service named by runtimeConfig.apiUrl.
export default defineEventHandler(async (event) => {
  const { apiUrl } = useRuntimeConfig(event);
  // event.path keeps the /api prefix and the query string.
  const target = apiUrl.replace(/\/+$/, '') + event.path;
  try {
    // The browser's address, for the API's per-address limits (it trusts this hop only).
    const client = getRequestIP(event) ?? '';
    return await proxyRequest(event, target, { headers: { 'x-forwarded-for': client } });
  } catch (error) {
    // proxyRequest throws before writing anything when the API cannot be reached.
    if (event.node.res.headersSent) throw error;
    setResponseStatus(event, 502);
    return { error: 'API unreachable', code: 'API_UNREACHABLE' } satisfies ApiError;
  }
});
