# Converge as a container: `converge serve` on port 3210, data in the /data volume.
#
# Two stages. The build stage installs the production dependencies, compiling
# better-sqlite3 from source (node:20-bookworm already carries the python3,
# make and g++ that node-gyp needs). The runtime stage is the slim glibc image:
# the uWebSockets.js binaries are built against glibc 2.36 (Debian 12), so not
# Alpine. The server runs as `bin/converge.js` runs it everywhere: the CLI
# bundled from src/ by esbuild at start (src/cli/build-cli-bundle.js).

FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
# What the runtime never loads, about 130 MB: uWebSockets.js ships a binary for
# every platform and Node ABI (plus unused copies under dist/) and needs only
# the one for this one; better-sqlite3 needs only its compiled addon, not the
# SQLite sources and object files it was built from.
RUN abi="$(node -p 'process.platform + "_" + process.arch + "_" + process.versions.modules')" \
  && find node_modules/uWebSockets.js/binaries -type f ! -name "uws_$abi.node" -delete \
  && rm -f node_modules/uWebSockets.js/dist/*.node \
  && cd node_modules/better-sqlite3 \
  && mv build/Release/better_sqlite3.node . \
  && rm -rf build deps src \
  && mkdir -p build/Release && mv better_sqlite3.node build/Release/

FROM node:20-bookworm-slim
# tini as PID 1: it forwards SIGTERM to node (which then drains and closes the
# store) and reaps orphaned children such as esbuild's service process, without
# relying on `docker run --init`.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && apt-get clean \
  && rm -rf /var/lib/apt/lists/*
# A user of our own with a fixed uid, so that a host folder mounted at /data can
# be handed to it, whatever users the base image has.
RUN groupadd --system --gid 10001 converge \
  && useradd --system --uid 10001 --gid converge --home-dir /app --shell /usr/sbin/nologin converge \
  && mkdir /data && chown converge:converge /data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY generated ./generated
COPY src ./src
COPY functions ./functions
COPY dashboard ./dashboard
# The CLI's bundle is built here, as root, since /app is not writable at run
# time: each start builds it again, finds the same bytes in place and writes
# nothing. `--help` only prints the usage once the bundle is built.
RUN node bin/converge.js --help > /dev/null

# MALLOC_ARENA_MAX: glibc gives each thread its own malloc arena, memory of an
# idle server's resident set for threads that allocate little (V8's helpers,
# libuv's pool); two arenas measured 12 MB less idle when tsx's loader thread
# was one of them, about 3 MB less without it.
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    PORT=3210 \
    CONVERGE_SITE_PORT=3211 \
    CONVERGE_HOST=0.0.0.0 \
    CONVERGE_DATA=/data \
    CONVERGE_FUNCTIONS=/app/functions
VOLUME /data
EXPOSE 3210 3211
USER converge

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/converge.js"]
CMD ["serve"]
