// The demo behind Debian's nginx as a reverse proxy: HTTP/1.1 to the upstream with a keep-alive
// pool (`proxy_http_version 1.1`, `keepalive`, an empty Connection field unless the client asks
// to upgrade), request and response bodies streamed rather than spooled, WebSocket upgrades passed.
// nginx runs in the foreground from a config in a temporary folder, on its own free port.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findExecutable, freePort, runForeground, tempDir } from './interop-support.js';
import { proxySuite } from './proxy-suite.js';

const nginx = findExecutable('nginx');

function nginxConfig(dir: string, port: number, upstreamPort: number): string {
  return `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  client_max_body_size 64m;

  upstream brisk {
    server 127.0.0.1:${upstreamPort};
    keepalive 8;
  }

  # "Connection: upgrade" only when the client asked for one; else empty, so the upstream
  # connection stays in the keep-alive pool.
  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' '';
  }

  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://brisk;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_read_timeout 30s;
    }
  }
}
`;
}

proxySuite({
  name: 'nginx',
  skip: nginx === undefined ? 'nginx is not installed (apt-get install nginx)' : undefined,
  async start(upstreamPort) {
    const temp = tempDir('brisk-nginx-');
    // Workers may run as another user when nginx starts as root: let them into the folder.
    chmodSync(temp.dir, 0o755);
    const port = await freePort();
    const conf = path.join(temp.dir, 'nginx.conf');
    writeFileSync(conf, nginxConfig(temp.dir, port, upstreamPort));
    const args = ['-p', temp.dir, '-c', conf, '-e', path.join(temp.dir, 'error.log'), '-g', 'daemon off;'];
    const process = await runForeground(nginx as string, args, port, 'nginx');
    return { port, process, cleanup: temp.remove };
  },
});
