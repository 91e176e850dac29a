# syntax=docker/dockerfile:1
# Build: docker build -t flask-audit .
# Scan a checkout: docker run --rm -v "$PWD:/src" flask-audit scan /src
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY rules ./rules
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY bin ./bin
USER node
ENTRYPOINT ["node", "/app/bin/flask-audit.js"]
CMD ["--help"]
