#!/usr/bin/env bash
# Validates docker/ without a Docker engine (none runs in CI, so no image is built there):
#   1. docker-compose.yml, as Compose reads it, against tessera.env.example in place of the
#      uncommitted tessera.env (TESSERA_ENV_FILE);
#   2. the topology it promises: no `version:`, only nginx published (on 8080), two replicas of
#      the token service and the auth-service, one admin API, a health check behind every
#      `service_healthy`, the secrets only in the env file, and placeholders only in the template;
#   3. nginx/nginx.conf, parsed by nginx (`nginx -t`) with loopback upstreams, when nginx is here.
# Installs nothing: it needs docker-compose (Debian's package: Compose v1 and python3-yaml) or
# the `docker compose` plugin, and uses nginx if present. Exit status 0 when everything holds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
compose_file="$here/docker-compose.yml"
template="$here/tessera.env.example"

fail() {
  echo "docker/validate.sh: $*" >&2
  exit 1
}

if command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  fail "neither docker-compose nor the docker compose plugin is installed (apt-get install docker-compose)"
fi

# 1. Compose's own validation. The env file's path is relative to the compose file.
export TESSERA_ENV_FILE=tessera.env.example
"${compose[@]}" -f "$compose_file" config -q || fail "docker-compose.yml is not valid for ${compose[*]}"
echo "docker-compose.yml: valid for $("${compose[@]}" version --short 2>/dev/null || echo "${compose[*]}")"

# 2. The topology, on the file as Compose normalized it.
grep -qE '^version:' "$compose_file" && fail "docker-compose.yml has a version: key (the compose spec has none)"
if python3 -c 'import yaml' 2>/dev/null; then
  "${compose[@]}" -f "$compose_file" config | python3 -c '
import re, sys, yaml

config = yaml.safe_load(sys.stdin)
services = config["services"]
template = dict(
    line.split("=", 1) for line in open(sys.argv[1]).read().splitlines() if line and not line.startswith("#")
)
problems = []

def published(service):
    ports = service.get("ports") or []
    return [str(p.get("published")) if isinstance(p, dict) else str(p).split(":")[-2] for p in ports]

def replicas(name):
    return (services[name].get("deploy") or {}).get("replicas", 1)

expected = {"postgres", "redis", "token-service", "auth-service", "admin-api", "nginx"}
if set(services) != expected:
    problems.append(f"services are {sorted(services)}, expected {sorted(expected)}")
for name, service in services.items():
    ports = published(service)
    if name == "nginx":
        if ports != ["8080"]:
            problems.append(f"nginx publishes {ports}, expected [8080]")
    elif ports:
        problems.append(f"{name} publishes {ports}: only nginx may be reachable from outside")
    for dependency, condition in (service.get("depends_on") or {}).items():
        if condition.get("condition") == "service_healthy" and not services.get(dependency, {}).get("healthcheck"):
            problems.append(f"{name} waits for {dependency} to be healthy, which has no health check")
for name, count in {"token-service": 2, "auth-service": 2, "admin-api": 1, "nginx": 1}.items():
    if name in services and replicas(name) != count:
        problems.append(f"{name} has {replicas(name)} replica(s), expected {count}")

secret = re.compile(r"SECRET|PASSWORD|_TOKEN$|_KEY$|^DATABASE_URL$")
for name in ("token-service", "auth-service", "admin-api"):
    service = services.get(name, {})
    if not service.get("healthcheck"):
        problems.append(f"{name} has no health check")
    environment = service.get("environment") or {}
    for key in ("TESSERA_ISSUER", "TESSERA_MASTER_KEY", "TESSERA_INTERNAL_SECRET", "DATABASE_URL", "REDIS_URL", "TESSERA_TRUSTED_PROXIES"):
        if not environment.get(key):
            problems.append(f"{name} gets no {key}")
# Secrets come from the env file only: none is written in docker-compose.yml itself.
source = open(sys.argv[2]).read()
for key in template:
    if secret.search(key) and re.search(rf"^\s*{key}\s*:", source, re.M):
        problems.append(f"docker-compose.yml sets {key} itself: secrets belong in tessera.env")
# The committed template holds placeholders, never a real secret.
for key, value in template.items():
    if secret.search(key) and value and "CHANGE_ME" not in value:
        problems.append(f"tessera.env.example has a value for {key}: only CHANGE_ME placeholders are committed")

if problems:
    print("docker-compose.yml: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
print("docker-compose.yml: topology as documented (" + ", ".join(f"{n} x{replicas(n)}" for n in sorted(services)) + "; only nginx published)")
' "$template" "$compose_file" || fail "docker-compose.yml does not describe the documented topology"
else
  echo "docker-compose.yml: topology checks skipped (python3 with PyYAML is not installed; Debian's docker-compose brings it)"
fi

# The real env file is never committed.
if command -v git >/dev/null 2>&1 && git -C "$here" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$here" check-ignore -q tessera.env || fail "docker/tessera.env is not ignored by git"
fi

# 3. nginx.conf as nginx parses it, with loopback upstreams (compose's names resolve only inside
#    Docker) and a throwaway prefix.
nginx_bin="$(command -v nginx || true)"
[ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx
if [ -n "$nginx_bin" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  cp "$here"/nginx/nginx.conf "$here"/nginx/portal.conf "$here"/nginx/portal-headers.conf "$tmp"/
  sed -E 's/server [a-z-]+:3000/server 127.0.0.1:3000/' "$here/nginx/upstreams.compose.conf" >"$tmp/upstreams.conf"
  printf 'listen 127.0.0.1:8080;\nroot %s;\naccess_log %s/access.log tessera;\n' "$tmp" "$tmp" >"$tmp/site.conf"
  "$nginx_bin" -t -q -p "$tmp/" -c "$tmp/nginx.conf" -g 'daemon off;' || fail "nginx/nginx.conf does not pass nginx -t"
  echo "nginx/nginx.conf: nginx -t passed ($("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //'))"
else
  echo "nginx/nginx.conf: not parsed (nginx is not installed; the portal's browser tests run it)"
fi
