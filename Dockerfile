# The mirror's image: the CLI, the worker, the scheduler, the dashboard and the demo all run from it as
# bundled JavaScript (dist/, built by esbuild through `npm ci`'s prepare in the build stage; no TypeScript at run time).
# Without DATABASE_URL a command uses the embedded PostgreSQL the npm packages bring, its data in
# /app/data (a volume to keep it).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY scripts ./scripts
# patch-package applies them at npm ci's postinstall, before the build (postgres.js: parameters written in
# one pass; a clean reconnection after a session died in a transaction).
COPY patches ./patches
COPY bin ./bin
COPY src ./src
COPY jobs ./jobs
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
# Files the compiled code reads from the sources: the dashboard's page, and the recorded responses the
# fake data.gouv.fr (for `demo` and `npm run fake-api`) is built from.
COPY src/cli/dashboard/public ./src/cli/dashboard/public
COPY src/fake-datagouv/recorded ./src/fake-datagouv/recorded
RUN mkdir -p /app/data && chown node:node /app/data
USER node
ENV MIRROR_DATA_DIR=/app/data
VOLUME ["/app/data"]
# The runtime's Node flags and malloc setting (src/runtime-flags.ts says why each; the bin applies the
# V8 setting itself): a capped old space and smaller young generation halves, which
# `docker run -e NODE_OPTIONS=...` replaces.
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8" MALLOC_MMAP_THRESHOLD_=131072
ENTRYPOINT ["node", "dist/bin/mirror.js"]
CMD ["--help"]
