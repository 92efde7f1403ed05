# syntax=docker/dockerfile:1
# Podium in one container: the server (GraphQL, /health, /ready, /metrics) on port 4000, state in
# the /data volume, run as the unprivileged `node` user. Only the `cli` (bash) instrument works
# out of the box; add the agent CLIs you use in a derived image, or set an HTTP model's API key.
#
#   docker build -t podium .
#   docker run -p 4000:4000 -e PODIUM_TOKEN=change-me -v podium-data:/data podium

ARG NODE_VERSION=20.20.2
ARG PNPM_VERSION=12.21.0

# Everything needed to build: compilers for better-sqlite3, all dependencies, the Prisma client
# and the dashboard build.
FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG PNPM_VERSION
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
RUN npm install -g pnpm@${PNPM_VERSION}
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY apps/server/package.json apps/server/
COPY apps/cli/package.json apps/cli/
COPY apps/web/package.json apps/web/
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm exec prisma generate && pnpm --filter @podium/web build

# Runtime dependencies only (compiled for the same Node and libc as the final image).
FROM build AS production-deps
RUN rm -rf node_modules apps/*/node_modules \
  && pnpm install --frozen-lockfile --prod

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  PORT=4000 \
  PODIUM_DATA_DIR=/data \
  DATABASE_URL=file:/data/podium.db \
  PODIUM_LOG_FORMAT=json
WORKDIR /app
COPY --from=production-deps --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
# Binding 0.0.0.0 needs PODIUM_TOKEN (the server refuses to start without one). /health is open.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "apps/cli/bin/podium.mjs"]
CMD ["serve"]
