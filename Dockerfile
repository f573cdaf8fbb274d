# syntax=docker/dockerfile:1
# Build stage: compile TypeScript and the native SQLite binding, then drop dev dependencies.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
RUN npm run build && npm prune --omit=dev

# Runtime stage: only what runs. The code belongs to root and is read-only for the process; the
# process runs as the image's `node` user, by number so Kubernetes' runAsNonRoot can verify it.
# With a read-only root filesystem only /data (the sqlite: store) and /tmp need to be writable:
# mount a volume at /data (or use STORE_URL=redis://...) and a tmpfs or emptyDir at /tmp.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 STORE_URL=sqlite:/data/bridge.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json bridge.example.yaml ./
RUN mkdir -p /data && chown 1000:1000 /data
USER 1000:1000
VOLUME ["/data"]
EXPOSE 3000
# Node's own fetch: the slim image has no curl. Liveness only; readiness is GET /readyz.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself (src/main.ts: graceful shutdown; a second signal exits at once).
CMD ["node", "dist/src/main.js"]
