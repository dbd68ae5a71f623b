import type { Role } from '#shared/types/api';

// Signed-in pages need a session, and the operator pages an operator. The check runs in the
// browser: the server renders only the public status page (see routeRules in nuxt.config.ts).

const publicPages = new Set(['/', '/login']);

export default defineNuxtRouteMiddleware(async (to) => {
  if (import.meta.server) return;
  const session = useSession();
  const user = await session.load();
  if (publicPages.has(to.path) || to.meta.public) return;
  if (!user) return navigateTo({ path: '/login', query: { next: to.fullPath } });
  const roles = [to.meta.role ?? []].flat();
  if (roles.length && !roles.includes(user.role)) return navigateTo(session.home.value);
});

declare module '#app' {
  interface PageMeta {
    /** Only people with this role (one of these roles) may open the page. */
    role?: Role | Role[];
    /** Anyone may open the page, signed in or not (a link from an email). */
    public?: boolean;
  }
}
