# Brook in a container. Two stages: the build stage compiles TypeScript with the full toolchain;
# the runtime stage holds only production dependencies and the compiled code, and runs as the
# unprivileged `node` user. Data lives in the /data volume.
#
#   docker build -t brook .
#   docker run -p 8080:8080 -v brook-data:/data brook
#   docker run -p 8080:8080 -v brook-data:/data -v ./brook.yaml:/etc/brook.yaml:ro \
#     -e BROOK_CONFIG=/etc/brook.yaml brook

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so that a change to the sources does not reinstall them. Scripts are
# skipped: `prepare` would build before the sources are here.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# Compiles to dist/ and copies the dashboard's static files there.
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    BROOK_DATA_DIR=/data \
    BROOK_HOST=0.0.0.0 \
    BROOK_PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY datasets ./datasets
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
VOLUME /data
# Slim images have no curl: node's own fetch asks the liveness route.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.BROOK_PORT||8080)+'/v2/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is the process that gets SIGTERM, drains and checkpoints every model.
ENTRYPOINT ["node", "bin/brook.js"]
CMD ["serve"]
