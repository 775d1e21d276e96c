// nginx for the interop tests: the part of nginx.conf every test shares (one worker; pid, logs and
// temp folders inside a temporary folder) around each test's own `http { }` directives, and nginx
// started in the foreground from that config on a free port.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, runForeground, tempDir, type Foreground } from './interop-support.js';

export interface NginxSetup {
  /** Name prefix of the temporary folder. */
  readonly tempPrefix: string;
  /** `events { worker_connections N; }` */
  readonly workerConnections: number;
  /** A log_format for access.log (e.g. `'$status $request_uri'`); nginx's combined format when undefined. */
  readonly logFormat?: string;
  /** The rest of the `http { }` block: upstreams, maps and the server listening on 127.0.0.1:<port>. */
  http(port: number): string;
}

export interface RunningNginx {
  readonly port: number;
  readonly process: Foreground;
  /** The temporary folder: nginx.conf, error.log and access.log are in it. */
  readonly dir: string;
  /** Remove the temporary folder. */
  cleanup(): void;
}

export function nginxConfig(dir: string, setup: NginxSetup, port: number): string {
  const accessLog =
    setup.logFormat === undefined ? `access_log ${dir}/access.log;` : `log_format test ${setup.logFormat};\n  access_log ${dir}/access.log test;`;
  return `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections ${setup.workerConnections}; }
http {
  ${accessLog}
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${setup.http(port)}}
`;
}

/** Write the config into a fresh temporary folder and run `executable` from it until it listens (the folder goes if it does not). */
export async function startNginx(executable: string, setup: NginxSetup): Promise<RunningNginx> {
  const temp = tempDir(setup.tempPrefix);
  // Workers may run as another user when nginx starts as root: let them into the folder.
  chmodSync(temp.dir, 0o755);
  const port = await freePort();
  const conf = path.join(temp.dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(temp.dir, setup, port));
  const args = ['-p', temp.dir, '-c', conf, '-e', path.join(temp.dir, 'error.log'), '-g', 'daemon off;'];
  try {
    const process = await runForeground(executable, args, port, 'nginx');
    return { port, process, dir: temp.dir, cleanup: temp.remove };
  } catch (error) {
    temp.remove();
    throw error;
  }
}
