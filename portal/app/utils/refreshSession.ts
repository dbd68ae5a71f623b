// POST /api/auth/refresh renews the session cookie. One refresh at a time: parallel 401s
// wait for the same one, since each refresh rotates the token.

let refreshing: Promise<boolean> | undefined;

export function refreshSession(): Promise<boolean> {
  refreshing ??= $fetch
    .raw('/api/auth/refresh', { method: 'POST', ignoreResponseError: true })
    .then((res) => res.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}
