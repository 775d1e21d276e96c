// Contestant "nginx": not a Node.js program; this module writes its configuration. One process
// (master_process off, daemon off), access log off, the seed page from `return 200`, /upload
// discarded by nginx itself, /download a 1 MiB file served from the page cache with sendfile.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOWNLOAD_BYTES, DOWNLOAD_TYPE, HOST, KEEP_ALIVE_TIMEOUT_MS, SEED_BODY, SEED_TYPE, UPLOAD_REPLY } from './common.js';

/** Write nginx.conf (and the download file) under `dir`; returns the argv to run nginx with. */
export function nginxCommand(dir: string, port: number): string[] {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'download.bin'), Buffer.alloc(DOWNLOAD_BYTES, 'x'));
  const conf = `# written by bench/servers/nginx.ts
worker_processes 1;
master_process off;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'error.log')} warn;
events { worker_connections 16384; }
http {
  access_log off;
  server_tokens off;
  sendfile on;
  tcp_nodelay on;
  keepalive_timeout ${Math.floor(KEEP_ALIVE_TIMEOUT_MS / 1000)}s;
  # nginx closes a connection after 1000 requests by default; Node.js servers never do.
  keepalive_requests 100000000;
  client_max_body_size 4m;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  server {
    listen ${HOST}:${port};
    location = / { default_type "${SEED_TYPE}"; return 200 '${SEED_BODY}'; }
    location = /upload { default_type text/plain; return 200 '${UPLOAD_REPLY}'; }
    location = /download { default_type ${DOWNLOAD_TYPE}; alias ${join(dir, 'download.bin')}; }
  }
}
`;
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, conf);
  return ['nginx', '-p', dir, '-e', join(dir, 'logs', 'error.log'), '-c', confPath];
}
