import type { ApiError } from '#shared/types/api';

// Same-origin proxy: the browser only ever talks to the portal, which forwards /api/** (method,
// headers incl. Authorization, body, query) to the API service named by runtimeConfig.apiUrl.
export default defineEventHandler(async (event) => {
  const { apiUrl } = useRuntimeConfig(event);
  // event.path keeps the /api prefix and the query string.
  const target = apiUrl.replace(/\/+$/, '') + event.path;
  try {
    return await proxyRequest(event, target);
  } catch (error) {
    // proxyRequest throws before writing anything when the API cannot be reached.
    if (event.node.res.headersSent) throw error;
    setResponseStatus(event, 502);
    return { error: 'API unreachable', code: 'API_UNREACHABLE' } satisfies ApiError;
  }
});
