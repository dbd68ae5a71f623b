import type { SessionInfo } from '#shared/types/api';

// Who is signed in, as the API says (GET /api/auth/session). The token itself is in an
// httpOnly cookie that no script here can read.

export function useSession() {
  const user = useState<SessionInfo | null>('session.user', () => null);
  const checked = useState('session.checked', () => false);
  const router = useRouter();

  async function load(force = false): Promise<SessionInfo | null> {
    if (checked.value && !force) return user.value;
    const ask = () =>
      $fetch
        .raw<SessionInfo>('/api/auth/session', { ignoreResponseError: true })
        .catch(() => undefined);
    let res = await ask();
    // The session may only need renewing.
    if (res?.status === 401 && (await refreshSession())) res = await ask();
    user.value = res?.ok ? (res._data ?? null) : null;
    checked.value = true;
    return user.value;
  }

  /** The API refused the session: back to the sign-in page, then here again. */
  function expired() {
    user.value = null;
    const route = router.currentRoute.value;
    if (route.path !== '/login')
      void navigateTo({ path: '/login', query: { next: route.fullPath } });
  }

  async function signOut() {
    await $fetch('/api/auth/logout', { method: 'POST', ignoreResponseError: true }).catch(
      () => undefined,
    );
    user.value = null;
    await navigateTo('/login');
  }

  /** Where a person lands after signing in. */
  const home = computed(() =>
    user.value?.role === 'operator'
      ? '/operator'
      : user.value?.role === 'partner'
        ? '/customers'
        : '/dashboard',
  );

  return { user: readonly(user), checked: readonly(checked), load, expired, signOut, home };
}
