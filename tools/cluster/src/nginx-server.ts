import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GiveUp, ManagedProcess, waitFor } from './managed-process';

/** docker/nginx: the production configuration, which the cluster runs as it is. */
export const DOCKER_NGINX_DIR = resolve(__dirname, '../../../docker/nginx');

/** The upstream groups of docker/nginx/nginx.conf, each a list of `host:port` replicas. */
export interface PublicUpstreams {
  token_service: string[];
  auth_service: string[];
  admin_api: string[];
}

export interface NginxServer {
  url: string;
  port: number;
  process: ManagedProcess;
  accessLogFile: string;
  stop(): Promise<void>;
}

const upstreamBlock = (name: string, servers: string[], keepalive: number) =>
  [
    `upstream ${name} {`,
    ...servers.map((server) => `    server ${server} max_fails=2 fail_timeout=5s;`),
    `    keepalive ${keepalive};`,
    // Below the 5 s after which Node closes an idle connection (see upstreams.compose.conf).
    '    keepalive_timeout 4s;',
    '}',
    '',
  ].join('\n');

/**
 * The public origin: docker/nginx/nginx.conf itself, with the two per-deployment files it
 * includes written for loopback (upstreams.conf: one `server` line per replica, in the shape of
 * upstreams.compose.conf; site.conf: the port, the portal build, the access log file).
 */
export async function startPublicNginx(options: {
  binary: string;
  dir: string;
  port: number;
  upstreams: PublicUpstreams;
  portalRoot: string;
  logFile: string;
}): Promise<NginxServer> {
  mkdirSync(options.dir, { recursive: true });
  // Run by root, the workers are `nobody` and create their temporary files under the prefix.
  chmodSync(options.dir, 0o755);
  for (const file of ['nginx.conf', 'portal.conf', 'portal-headers.conf']) copyFileSync(join(DOCKER_NGINX_DIR, file), join(options.dir, file));
  writeFileSync(
    join(options.dir, 'upstreams.conf'),
    [
      '# Written by tools/cluster: the replicas on loopback.',
      upstreamBlock('token_service', options.upstreams.token_service, 32),
      upstreamBlock('auth_service', options.upstreams.auth_service, 32),
      upstreamBlock('admin_api', options.upstreams.admin_api, 8),
    ].join('\n'),
  );
  const accessLogFile = join(options.dir, 'access.log');
  writeFileSync(
    join(options.dir, 'site.conf'),
    `# Written by tools/cluster.\nlisten 127.0.0.1:${options.port};\nroot ${options.portalRoot};\naccess_log ${accessLogFile} tessera;\n`,
  );
  return run('nginx', options, accessLogFile, '/favicon.svg');
}

/** The internal listeners a service's peers call, one load-balanced port per service. */
export interface InternalUpstreams {
  token_service: string[];
  auth_service: string[];
}

/**
 * What Docker's DNS does for the internal APIs in docker-compose.yml (`http://token-service:3001`
 * reaches any replica): one loopback port per service in front of its replicas' internal
 * listeners, so that a peer's call goes on to the other replica when one is down. nginx passes a
 * request to the next replica only when it could not be sent to the first (connection refused),
 * never after a replica may have acted on it.
 */
export async function startInternalNginx(options: {
  binary: string;
  dir: string;
  ports: { token_service: number; auth_service: number };
  upstreams: InternalUpstreams;
  logFile: string;
}): Promise<NginxServer & { urls: { token_service: string; auth_service: string } }> {
  mkdirSync(options.dir, { recursive: true });
  chmodSync(options.dir, 0o755);
  const server = (name: keyof InternalUpstreams) => `
    server {
        listen 127.0.0.1:${options.ports[name]};
        location / {
            proxy_pass http://${name}_internal;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
        }
    }`;
  writeFileSync(
    join(options.dir, 'internal.conf'),
    `# Written by tools/cluster: the internal APIs, balanced over the replicas.
worker_processes 1;
pid nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path client_body_temp;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;
    client_max_body_size 128k;
    client_body_buffer_size 128k;
${upstreamBlock('token_service_internal', options.upstreams.token_service, 16)}
${upstreamBlock('auth_service_internal', options.upstreams.auth_service, 16)}
${server('token_service')}
${server('auth_service')}
}
`,
  );
  const started = await run('nginx-internal', { ...options, port: options.ports.token_service }, '', '/', 'internal.conf');
  return {
    ...started,
    urls: {
      token_service: `http://127.0.0.1:${options.ports.token_service}`,
      auth_service: `http://127.0.0.1:${options.ports.auth_service}`,
    },
  };
}

async function run(
  name: string,
  options: { binary: string; dir: string; port: number; logFile: string },
  accessLogFile: string,
  probePath: string,
  config = 'nginx.conf',
): Promise<NginxServer> {
  const proc = new ManagedProcess(name, options.binary, ['-p', `${options.dir}/`, '-c', join(options.dir, config), '-g', 'daemon off;'], {
    logFile: options.logFile,
  });
  proc.start();
  const url = `http://127.0.0.1:${options.port}`;
  // Any answer means nginx listens (the internal one answers 502 until the replicas are up).
  await waitFor(name, async () => {
    if (!proc.running) throw new GiveUp(proc.exitDescription());
    await fetch(`${url}${probePath}`);
    return true;
  }, 10_000, () => `${proc.exitDescription()}; see ${options.logFile}`);
  return { url, port: options.port, process: proc, accessLogFile, stop: () => proc.stop('SIGTERM') };
}
