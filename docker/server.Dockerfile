# syntax=docker/dockerfile:1
# The Batchyard server image. Build from the repository root:
#   docker build -f docker/server.Dockerfile -t batchyard/server:0.1.0 .
ARG NODE_IMAGE=node:20.19-bookworm-slim

# ---- build: compile every workspace the server needs (dev dependencies present) ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first so the npm ci layer is cached until a dependency changes. npm ci checks every
# workspace of the lock file, so all workspace manifests are copied.
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY packages/core/package.json packages/core/
COPY packages/dsl/package.json packages/dsl/
COPY packages/db/package.json packages/db/
COPY packages/k8s/package.json packages/k8s/
COPY packages/worker/package.json packages/worker/
COPY apps/server/package.json apps/server/
COPY apps/sample-task/package.json apps/sample-task/
COPY test/cluster/package.json test/cluster/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY scripts/prisma-generate.mjs scripts/
COPY packages ./packages
COPY apps/server ./apps/server
RUN npm run generate && npx tsc -b apps/server

# ---- deps: production dependencies of the server workspace only ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/packages/core/package.json packages/core/
COPY --from=build /app/packages/dsl/package.json packages/dsl/
COPY --from=build /app/packages/db/package.json packages/db/
COPY --from=build /app/packages/k8s/package.json packages/k8s/
COPY --from=build /app/packages/worker/package.json packages/worker/
COPY --from=build /app/apps/server/package.json apps/server/
COPY --from=build /app/apps/sample-task/package.json apps/sample-task/
COPY --from=build /app/test/cluster/package.json test/cluster/
# --ignore-scripts: the embedded-PostgreSQL postinstall is for laptops; in a cluster the server
# gets DATABASE_URL.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=@batchyard/server \
  && npm cache clean --force

# ---- runtime: node, production node_modules, compiled JavaScript, SQL migrations ----
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="batchyard-server" \
      org.opencontainers.image.description="Batchyard control plane: REST API, launcher, reconciler, scheduler" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/batchyard/batchyard"
ENV NODE_ENV=production \
    BATCHYARD_HOST=0.0.0.0 \
    BATCHYARD_PORT=9393
WORKDIR /app
# A fixed numeric uid/gid so runAsNonRoot can verify it (the chart uses 10001).
RUN groupadd --system --gid 10001 batchyard \
  && useradd --system --uid 10001 --gid batchyard --home-dir /app --shell /usr/sbin/nologin batchyard
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/prisma/migrations ./prisma/migrations
COPY --from=build /app/packages/core/package.json packages/core/
COPY --from=build /app/packages/core/dist packages/core/dist
COPY --from=build /app/packages/dsl/package.json packages/dsl/
COPY --from=build /app/packages/dsl/dist packages/dsl/dist
COPY --from=build /app/packages/db/package.json packages/db/
COPY --from=build /app/packages/db/dist packages/db/dist
COPY --from=build /app/packages/k8s/package.json packages/k8s/
COPY --from=build /app/packages/k8s/dist packages/k8s/dist
COPY --from=build /app/packages/worker/package.json packages/worker/
COPY --from=build /app/packages/worker/dist packages/worker/dist
COPY --from=build /app/apps/server/package.json apps/server/
COPY --from=build /app/apps/server/dist apps/server/dist
USER 10001:10001
EXPOSE 9393
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.BATCHYARD_PORT||9393)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/apps/server/dist/main.js"]
CMD ["server"]
