# syntax=docker/dockerfile:1
# The worker base image: Node plus the Batchyard worker runtime (@batchyard/worker) and its
# production dependencies. Task images build FROM it (see docker/README.md and
# docker/sample-task.Dockerfile). Build from the repository root:
#   docker build -f docker/worker.Dockerfile -t batchyard/worker:0.1.0 .
ARG NODE_IMAGE=node:20.19-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
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
COPY packages/core ./packages/core
COPY packages/worker ./packages/worker
RUN npx tsc -b packages/worker

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
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=@batchyard/worker \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="batchyard-worker" \
      org.opencontainers.image.description="Base image for Batchyard task apps: Node and the @batchyard/worker runtime" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/batchyard/batchyard"
ENV NODE_ENV=production
WORKDIR /app
RUN groupadd --system --gid 10001 batchyard \
  && useradd --system --uid 10001 --gid batchyard --home-dir /app --shell /usr/sbin/nologin batchyard
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/packages/core/package.json packages/core/
COPY --from=build /app/packages/core/dist packages/core/dist
COPY --from=build /app/packages/worker/package.json packages/worker/
COPY --from=build /app/packages/worker/dist packages/worker/dist
USER 10001:10001
# A task runs to completion and is judged by its exit code; Kubernetes ignores Docker health
# checks, and one that fails would mark a healthy batch run unhealthy under plain Docker.
HEALTHCHECK NONE
# Task images set their own ENTRYPOINT (node <their main.js>); arguments arrive as the Job's args.
ENTRYPOINT ["node"]
