// The demo behind Debian's nginx as a reverse proxy: HTTP/1.1 to the upstream with a keep-alive
// pool (`proxy_http_version 1.1`, `keepalive`, an empty Connection field unless the client asks
// to upgrade), request and response bodies streamed rather than spooled, WebSocket upgrades passed.
// nginx runs in the foreground from a config in a temporary folder, on its own free port.
import { findExecutable } from './interop-support.js';
import { startNginx } from './nginx-support.js';
import { proxySuite } from './proxy-suite.js';

const nginx = findExecutable('nginx');

/** Inside `http { }`, after the shared part (nginx-support.ts). */
function proxyHttp(port: number, upstreamPort: number): string {
  return `  client_max_body_size 64m;

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
`;
}

proxySuite({
  name: 'nginx',
  skip: nginx === undefined ? 'nginx is not installed (apt-get install nginx)' : undefined,
  start: (upstreamPort) =>
    startNginx(nginx as string, { tempPrefix: 'brisk-nginx-', workerConnections: 256, http: (port) => proxyHttp(port, upstreamPort) }),
});
