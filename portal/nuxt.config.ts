// Built with `nuxt build portal` from the repo root; must work offline, so no modules that
// fetch fonts, icons or anything else at build time.
export default defineNuxtConfig({
  compatibilityDate: '2026-11-22',
  ssr: true,
  telemetry: false,
  devtools: { enabled: false },
  css: ['~/assets/css/base.css'],
  app: {
    head: {
      htmlAttrs: { lang: 'en' },
      titleTemplate: '%s · Zen & Zen Network Support',
      meta: [{ name: 'viewport', content: 'width=device-width, initial-scale=1' }],
    },
  },
  // Signed-in pages render in the browser: the session cookie is httpOnly and the data is
  // per person, so the server renders only the public status page. The sign-in form too
  // renders in the browser, so it never shows before its script can handle it.
  routeRules: {
    '/login': { ssr: false },
    '/dashboard': { ssr: false },
    '/cases/**': { ssr: false },
    '/cases': { ssr: false },
    '/operator': { ssr: false },
    '/notifications': { ssr: false },
    '/devices/**': { ssr: false },
    '/customers': { ssr: false },
    '/customers/**': { ssr: false },
    '/partners': { ssr: false },
    '/account': { ssr: false },
  },
  // The live socket is proxied through the portal (server/routes/socket.io.ts).
  nitro: { experimental: { websocket: true } },
  // cssnano 8 (pulled in by Nuxt 4.4) needs Node 22+ and crashes on Node 20; Vite still
  // minifies the CSS without it.
  postcss: { plugins: { cssnano: false } },
  // Defaults for local development; overridden at runtime by NUXT_API_URL and
  // NUXT_PUBLIC_TEMPORAL_UI_URL without rebuilding.
  runtimeConfig: {
    // Server-only: the browser talks to the portal origin; /api/** and /socket.io/ are proxied.
    apiUrl: 'http://127.0.0.1:4000',
    public: {
      temporalUiUrl: 'http://127.0.0.1:8233',
      temporalNamespace: 'zen',
    },
  },
});
