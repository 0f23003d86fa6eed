# syntax=docker/dockerfile:1
# A task image on the worker base image, with apps/sample-task as the example (docker/README.md).
#   docker build -f docker/worker.Dockerfile -t batchyard/worker:0.1.0 .
#   docker build -f docker/sample-task.Dockerfile -t batchyard/worker-sample:1.0 .
ARG NODE_IMAGE=node:20.19-bookworm-slim
ARG WORKER_IMAGE=batchyard/worker:0.1.0

# Compile the task against the worker runtime's sources.
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
COPY apps/sample-task ./apps/sample-task
RUN npx tsc -b apps/sample-task

# The task's own files on top of the base image; @batchyard/worker resolves from /app/node_modules.
FROM ${WORKER_IMAGE}
LABEL org.opencontainers.image.title="batchyard-worker-sample" \
      org.opencontainers.image.description="Sample settlement task on the Batchyard worker runtime"
COPY --from=build /app/apps/sample-task/package.json apps/sample-task/
COPY --from=build /app/apps/sample-task/dist apps/sample-task/dist
ENTRYPOINT ["node", "/app/apps/sample-task/dist/main.js"]
