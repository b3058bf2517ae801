# The mirror's image: the CLI, the worker and the scheduler all run from it (TypeScript through tsx, no build step).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY jobs ./jobs
COPY migrations ./migrations
USER node
ENTRYPOINT ["node", "--import", "tsx", "bin/mirror.ts"]
CMD ["--help"]
