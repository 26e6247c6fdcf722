# syntax=docker/dockerfile:1
# certhost operator image: `docker build -t certhost:dev .`
#
# Stage 1 compiles src/ to dist/ with the dev dependencies (TypeScript); stage 2 holds only the
# production dependencies and dist/. The operator writes nothing to its filesystem, so it runs with a
# read-only root filesystem as a non-root user (uid/gid 65532, the "nonroot" convention).

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# --ignore-scripts: the only install script is the `node` devDependency's, which downloads a second
# Node 24 for developer machines; this image already has one.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="certhost" \
      org.opencontainers.image.description="Kubernetes operator that runs a certificate hosting service" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=0:0 /app/node_modules ./node_modules
COPY --from=build --chown=0:0 /src/dist ./dist
COPY --chown=0:0 package.json ./
# Files stay owned by root and are not writable by the runtime user.
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["node", "dist/main.js"]
