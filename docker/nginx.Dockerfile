# The public origin of distributed mode: Debian's nginx with nginx/nginx.conf (the URL map) in
# front of the services, serving the portal's build. From the repository root:
#   docker build -f docker/nginx.Dockerfile -t tessera-nginx .
# The upstreams are docker-compose.yml's services (nginx/upstreams.compose.conf); another
# topology mounts its own /etc/tessera-nginx/upstreams.conf and site.conf.

ARG NODE_IMAGE=node:20-bookworm-slim

# The portal's build (dist/apps/portal): static files, so only the build stage needs Node.
FROM ${NODE_IMAGE} AS portal
RUN npm install -g npm@11.19.1 --no-audit --no-fund
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: the portal's build needs none of the native modules (better-sqlite3...).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY nx.json tsconfig.base.json ./
COPY apps ./apps
COPY libs ./libs
ENV NX_DAEMON=false NX_NO_CLOUD=true
RUN npx nx run portal:build --outputStyle=static

# The same nginx as the tests run (Debian bookworm's), as an unprivileged user on port 8080.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx curl \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/tessera-nginx \
 && chown www-data:www-data /var/lib/tessera-nginx
COPY docker/nginx/nginx.conf docker/nginx/portal.conf docker/nginx/portal-headers.conf /etc/tessera-nginx/
COPY docker/nginx/upstreams.compose.conf /etc/tessera-nginx/upstreams.conf
COPY docker/nginx/site.compose.conf /etc/tessera-nginx/site.conf
COPY --from=portal /src/dist/apps/portal /usr/share/tessera/portal
USER www-data
EXPOSE 8080
# The portal's login page, from nginx alone (the services have their own checks).
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/login"]
# The prefix (-p) holds the pid file and the temporary files: the one directory www-data writes.
STOPSIGNAL SIGQUIT
CMD ["nginx", "-p", "/var/lib/tessera-nginx/", "-c", "/etc/tessera-nginx/nginx.conf", "-g", "daemon off;"]
