# One image for every Zen server process; docker-compose.yml picks the process with `command`:
#   api     tsx api/main.ts        (the default below)
#   worker  node --max-old-space-size=512 --import tsx workers/main.ts (see workers/nodeFlags.ts)
#   portal  node portal/.output/server/index.mjs
# tsx comes from node_modules/.bin on PATH: the same as `npx tsx` without npm in between.

FROM node:20-bookworm-slim AS base
WORKDIR /app

# All dependencies, dev included: the portal build needs them.
FROM base AS deps
COPY package.json package-lock.json ./
# `npm install --no-save` as in scripts/bootstrap.mjs: the lockfile holds only the
# optional binaries of the platform it was made on, which `npm ci` refuses.
RUN npm install --no-save --no-audit --no-fund

FROM deps AS portal
ENV NUXT_TELEMETRY_DISABLED=1
COPY . .
RUN npx nuxt build portal

# What the servers need at run time; the built portal bundles its own dependencies.
FROM deps AS prod-deps
RUN npm prune --omit=dev

FROM base AS runtime
ENV NODE_ENV=production \
    PATH=/app/node_modules/.bin:$PATH
COPY --from=prod-deps /app/node_modules ./node_modules
COPY . .
COPY --from=portal /app/portal/.output ./portal/.output
# The code stays root-owned so the process cannot change it; .data (config's DATA_DIR default)
# is the one writable directory.
RUN mkdir .data && chown node:node .data
USER node
EXPOSE 3000 4000
CMD ["tsx", "api/main.ts"]
