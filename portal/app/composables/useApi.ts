import { isApiError, type FieldProblem } from '#shared/types/api';

// Every call to the API goes through here: same origin (the portal proxies /api/**), with the
// httpOnly session cookie. On a 401 it asks POST /api/auth/refresh once and retries, so a
// change to short-lived access tokens stays on the server.

export interface ApiResult<T> {
  ok: boolean;
  status: number;
  data?: T;
  /** A sentence for the person, when it failed. */
  error?: string;
  /** A 429's Retry-After: how many seconds to wait before trying again. */
  retryAfterSeconds?: number;
  /** A 400's fields that are wrong, when the API names them. */
  fieldProblems?: FieldProblem[];
}

interface CallOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | undefined>;
}

async function send<T>(path: string, options: CallOptions) {
  return $fetch.raw<T>(path, {
    method: options.method ?? 'GET',
    body: options.body as Record<string, unknown> | undefined,
    query: options.query,
    ignoreResponseError: true,
  });
}

export function useApi() {
  const session = useSession();

  async function api<T>(path: string, options: CallOptions = {}): Promise<ApiResult<T>> {
    try {
      let res = await send<T>(path, options);
      if (res.status === 401 && !path.startsWith('/api/auth/')) {
        if (await refreshSession()) res = await send<T>(path, options);
        if (res.status === 401) {
          session.expired();
          return { ok: false, status: 401, error: 'Your session has ended: please sign in again.' };
        }
      }
      const body = res._data as unknown;
      if (res.ok) return { ok: true, status: res.status, data: body as T };
      const reason = isApiError(body) ? body.error : `HTTP ${res.status}`;
      const retryAfter = Number(res.headers.get('retry-after'));
      const details = isApiError(body) ? (body as { details?: unknown }).details : undefined;
      return {
        ok: false,
        status: res.status,
        error: reason,
        ...(retryAfter > 0 && { retryAfterSeconds: retryAfter }),
        ...(Array.isArray(details) && { fieldProblems: details as FieldProblem[] }),
      };
    } catch {
      return { ok: false, status: 0, error: 'Could not reach the portal. Check your connection.' };
    }
  }

  return { api };
}
