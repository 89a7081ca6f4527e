import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@tessera/test-kit';

const NGINX_DIR = resolve(__dirname, '../../../../docker/nginx');
export const NGINX_BINARY = ['/usr/sbin/nginx', '/usr/bin/nginx'].find(existsSync) ?? 'nginx';

export interface RunningNginx {
  url: string;
  stop(): Promise<void>;
  errors(): string;
}

/**
 * Debian's nginx in the foreground on a loopback port, with docker/nginx's portal configuration
 * included in a server whose root is the portal build, as the distributed deployment runs it.
 * `extra` adds locations (the test's stand-in for the APIs).
 */
export async function startNginx(root: string, extra = ''): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-nginx-'));
  for (const file of readdirSync(NGINX_DIR).filter((f) => f.endsWith('.conf'))) copyFileSync(join(NGINX_DIR, file), join(dir, file));
  const port = await freePort();
  writeFileSync(
    join(dir, 'test-nginx.conf'),
    `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    include portal.conf;
    ${extra}
  }
}
`,
  );
  const child: ChildProcess = spawn(NGINX_BINARY, ['-p', dir, '-c', join(dir, 'test-nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${output}`);
    try {
      await fetch(`${url}/favicon.svg`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    errors: () => output + (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''),
    async stop() {
      if (child.exitCode === null) {
        await new Promise<void>((done) => {
          child.once('exit', () => done());
          child.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
