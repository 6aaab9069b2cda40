# One image for every AidWatch service; the command picks the app, e.g.
#   docker run aidwatch dist/apps/ingestor/src/main.js
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production DATA_DIR=/app/data PORT=3000 HOST=0.0.0.0
# The V8 heap limit that keeps a process tracking 200,000 vessels under 1 GiB RSS (README, Pipeline performance).
ENV NODE_OPTIONS=--max-old-space-size=768
WORKDIR /app
COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/scripts/register-paths.js scripts/register-paths.js
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/docs docs
# prometheus-key: docker-compose's volume for Prometheus's operator key (created by `aidwatch keys create --key-file`).
RUN mkdir -p /app/data /app/access /app/prometheus-key && chown node:node /app/data /app/access /app/prometheus-key
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# register-paths resolves the @aidwatch/* aliases inside dist/.
ENTRYPOINT ["node", "-r", "./scripts/register-paths.js"]
CMD ["dist/apps/aidwatch/src/main.js"]
