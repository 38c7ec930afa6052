# syntax=docker/dockerfile:1
# coincide: the real-time multi-messenger coincidence service (`coincide serve`).
#
#   docker build -t coincide .
#   docker run -d --name coincide -p 8080:8080 -p 8098:8098 -p 8099:8099 -v coincide-data:/data coincide
#   docker exec coincide node bin/coincide.js tokens create --name me     # last line = the token
#
# Configuration: COINCIDE_* environment variables, flags after the image name, or a JSON file
# (-v ./coincide.json:/etc/coincide.json:ro -e COINCIDE_CONFIG=/etc/coincide.json).

# --- build stage: production dependencies, with the toolchain for better-sqlite3's native addon
# and node-rdkafka's (the optical Kafka client, built against Debian's librdkafka: BUILD_LIBRDKAFKA=0)
FROM node:20-slim AS deps
WORKDIR /app
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ librdkafka-dev \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN BUILD_LIBRDKAFKA=0 npm ci --omit=dev --no-audit --no-fund \
    && npm cache clean --force

# --- runtime stage: no compiler, no npm cache, not root
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    COINCIDE_DB=/data/coincide.db \
    COINCIDE_LISTEN_HOST=0.0.0.0 \
    COINCIDE_HTTP_PORT=8080 \
    COINCIDE_RECEIVE_PORT=8098 \
    COINCIDE_BROADCAST_PORT=8099
WORKDIR /app
RUN apt-get update \
    && apt-get install -y --no-install-recommends librdkafka1 librdkafka++1 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json tsconfig.json ./
COPY --chown=root:root bin ./bin
COPY --chown=root:root src ./src
COPY --chown=root:root voevent-schemas ./voevent-schemas
# The database lives on a volume owned by the unprivileged `node` user of the base image.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
# HTTP API + WebSocket stream, VTP receiver (authors submit), VTP broadcaster (subscribers).
EXPOSE 8080 8098 8099
# Liveness: /healthz answers 200 while the service is up (node's fetch; the slim image has no curl).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.COINCIDE_HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM: stop intake, flush, commit offsets, close (src/cli/serve.ts).
STOPSIGNAL SIGTERM
# --initial-old-space-size=128: see bin/coincide.js (Kafka fetch buffers and full GCs).
ENTRYPOINT ["node", "--initial-old-space-size=128", "bin/coincide.js"]
CMD ["serve"]
