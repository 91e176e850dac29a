# syntax=docker/dockerfile:1
# The GitHub App server (default) and the CLI, in one image.
#   Build:      docker build -t flask-audit .
#   App:        docker run -p 3000:3000 -e APP_ID=... -e PRIVATE_KEY="$(cat key.pem)" -e WEBHOOK_SECRET=... flask-audit
#   CLI:        docker run --rm -v "$PWD:/src" flask-audit node bin/flask-audit.js scan /src

# --- build: compile TypeScript, then drop the dev dependencies -------------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# tree-sitter ships prebuilt binaries, so no install script (and no compiler) is needed.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY rules ./rules
RUN npx tsc -p tsconfig.json && npm prune --omit=dev --no-audit --no-fund

# --- runtime: production dependencies and the compiled code only, as a non-root user --------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY package.json app.yml ./
COPY bin ./bin
USER node
EXPOSE 3000
# node:20-slim has no curl: ask the health endpoint with Node's own fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The server stops on SIGTERM after finishing accepted scans (up to 25 s): give `docker stop` 30 s.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/server.js"]
