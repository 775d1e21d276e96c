// The contestants: how to start each server for a mode, which path it answers the seed page on,
// and why one cannot run here (then it is skipped with that reason, never silently).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nginxCommand } from '../servers/nginx.js';
import type { Mode } from './modes.js';

export interface Contestant {
  /** The name used by --servers, in results and in the chart. */
  readonly name: string;
  /** Human label for tables. */
  readonly label: string;
  /** Where this contestant serves the seed page. */
  readonly seedPath: string;
  /** Runs on Node.js: started on the Node the run measures (--node), and NAME@LINE for each extra one. */
  readonly onNode: boolean;
  /**
   * Bounded by the node:net raw ceiling (it runs on net.Socket too), so beating it means noise.
   * False for brisk's contestants on the libuv transport (they run beneath net.Socket) and for
   * what does not run on Node. Defaults to onNode.
   */
  readonly boundedByRaw?: boolean;
  /** argv to start it on `port` for `mode`; `dir` is a fresh temporary directory. */
  command(port: number, mode: Mode, dir: string): string[];
  /** null when it can run here, else the reason it is skipped. */
  unavailable(): string | null;
}

export interface Paths {
  /** dist/bench: the compiled servers. */
  readonly dist: string;
  /** bench/: sources that are run as they are (bun.js, wrk scripts). */
  readonly source: string;
  /** The repository root (node_modules). */
  readonly root: string;
}

function nodeServer(paths: Paths, name: string, label: string, file: string, seedPath = '/'): Contestant {
  return {
    name,
    label,
    seedPath,
    onNode: true,
    command: (port) => [process.execPath, join(paths.dist, 'servers', file), String(port)],
    unavailable: () => (existsSync(join(paths.dist, 'servers', file)) ? null : `dist/bench/servers/${file} is missing (build first)`),
  };
}

/** The bun binary from the npm package `bun`, if it installed and runs. */
export function bunBinary(root: string): { path: string | null; reason: string } {
  const candidates = [
    join(root, 'node_modules', 'bun', 'bin', 'bun.exe'),
    join(root, 'node_modules', '@oven', 'bun-linux-x64', 'bin', 'bun'),
    join(root, 'node_modules', '@oven', 'bun-linux-x64-baseline', 'bin', 'bun'),
    join(root, 'node_modules', '.bin', 'bun'),
  ];
  let last = 'npm package `bun` is not installed (npm install)';
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 20_000 });
    if (r.status === 0) return { path, reason: `bun ${r.stdout.trim()}` };
    last = `${path} --version failed: ${(r.stderr || r.error?.message || `status ${r.status}`).trim().slice(0, 200)}`;
  }
  return { path: null, reason: last };
}

function onPath(command: string, versionFlag: string): boolean {
  const r = spawnSync(command, [versionFlag], { stdio: 'ignore' });
  return r.error === undefined;
}

/** An app module served by brisk's CLI (`brisk app.js`), the way a user runs one. */
function briskCli(paths: Paths, name: string, label: string, file: string): Contestant {
  const cli = join(paths.dist, '..', 'src', 'cli.js');
  const app = join(paths.dist, 'servers', file);
  return {
    name,
    label,
    seedPath: '/',
    onNode: true,
    command: (port) => [process.execPath, cli, app, '--host', '127.0.0.1', '--port', String(port), '--log', 'silent'],
    unavailable: () => (existsSync(cli) && existsSync(app) ? null : `${cli} or ${app} is missing (build first)`),
  };
}

/**
 * brisk's contestants run on the libuv transport by default (beneath net.Socket), so the node:net
 * raw ceiling does not bound them (beating it is not noise), as raw-libuv; brisk-net runs on net.
 */
const ON_LIBUV = new Set(['brisk', 'brisk-fetch', 'brisk-router', 'hono-brisk', 'hono-brisk-native', 'express-brisk', 'koa-brisk']);

export function allContestants(paths: Paths): Contestant[] {
  return contestantList(paths).map((c) => (ON_LIBUV.has(c.name) ? { ...c, boundedByRaw: false } : c));
}

function contestantList(paths: Paths): Contestant[] {
  let bun: { path: string | null; reason: string } | null = null;
  const bunInfo = (): { path: string | null; reason: string } => (bun ??= bunBinary(paths.root));
  return [
    nodeServer(paths, 'brisk', 'brisk (native handler)', 'brisk.js'),
    {
      ...nodeServer(paths, 'brisk-net', 'brisk (native handler, net transport)', 'brisk.js'),
      command: (port) => [process.execPath, join(paths.dist, 'servers', 'brisk.js'), String(port), 'net'],
    },
    nodeServer(paths, 'brisk-fetch', 'brisk (fetch handler)', 'brisk-fetch.js'),
    nodeServer(paths, 'brisk-router', 'brisk (router, 100 routes)', 'brisk-router.js', '/route99'),
    nodeServer(paths, 'node-http', 'node:http', 'node-http.js'),
    nodeServer(paths, 'fastify', 'Fastify', 'fastify.js'),
    nodeServer(paths, 'hono', 'Hono (@hono/node-server)', 'hono.js'),
    briskCli(paths, 'hono-brisk', 'Hono (brisk CLI)', 'hono-app.js'),
    briskCli(paths, 'hono-brisk-native', 'Hono (brisk CLI, fastResponse: false)', 'hono-app-native.js'),
    nodeServer(paths, 'express', 'Express 5 (node:http)', 'express.js'),
    nodeServer(paths, 'express-brisk', 'Express 5 on brisk', 'express-brisk.js'),
    nodeServer(paths, 'koa', 'Koa 3 (node:http)', 'koa.js'),
    nodeServer(paths, 'koa-brisk', 'Koa 3 on brisk', 'koa-brisk.js'),
    {
      name: 'bun',
      label: 'Bun (Bun.serve)',
      seedPath: '/',
      onNode: false,
      command: (port) => [bunInfo().path as string, join(paths.source, 'servers', 'bun.js'), String(port)],
      unavailable: () => (bunInfo().path === null ? bunInfo().reason : null),
    },
    {
      name: 'hono-bun',
      label: 'Hono (Bun.serve)',
      seedPath: '/',
      onNode: false,
      command: (port) => [bunInfo().path as string, join(paths.dist, 'servers', 'hono-bun.js'), String(port)],
      unavailable: () => (bunInfo().path === null ? bunInfo().reason : existsSync(join(paths.dist, 'servers', 'hono-bun.js')) ? null : 'dist/bench/servers/hono-bun.js is missing (build first)'),
    },
    {
      name: 'nginx',
      label: 'nginx',
      seedPath: '/',
      onNode: false,
      command: (port, _mode, dir) => nginxCommand(dir, port),
      unavailable: () => (onPath('nginx', '-v') ? null : 'nginx is not installed (apt-get install nginx-light)'),
    },
    {
      name: 'raw',
      label: 'raw ceiling (node:net)',
      seedPath: '/',
      onNode: true,
      command: (port, mode) => [process.execPath, join(paths.dist, 'servers', 'raw.js'), String(port), mode.rawResponse],
      unavailable: () => (existsSync(join(paths.dist, 'servers', 'raw.js')) ? null : 'dist/bench/servers/raw.js is missing (build first)'),
    },
    {
      name: 'raw-libuv',
      label: 'raw ceiling (libuv transport)',
      seedPath: '/',
      // Beneath net.Socket: the node:net ceiling does not bound it, so beating it is not noise.
      onNode: true,
      boundedByRaw: false,
      command: (port, mode) => [process.execPath, join(paths.dist, 'servers', 'raw-libuv.js'), String(port), mode.rawResponse],
      unavailable: () => (existsSync(join(paths.dist, 'servers', 'raw-libuv.js')) ? null : 'dist/bench/servers/raw-libuv.js is missing (build first)'),
    },
    {
      name: 'raw-libuv-sockets',
      label: 'raw ceiling (libuv transport on accepted net.Sockets)',
      seedPath: '/',
      // Beneath net.Socket: the node:net ceiling does not bound it, so beating it is not noise.
      onNode: true,
      boundedByRaw: false,
      command: (port, mode) => [process.execPath, join(paths.dist, 'servers', 'raw-libuv.js'), String(port), mode.rawResponse, 'sockets'],
      unavailable: () => (existsSync(join(paths.dist, 'servers', 'raw-libuv.js')) ? null : 'dist/bench/servers/raw-libuv.js is missing (build first)'),
    },
  ];
}

/** The version of each tool, for the results file. */
export function toolVersions(root: string): Record<string, string> {
  const out: Record<string, string> = { node: process.version };
  const wrk = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  const wrkVersion = /wrk (?:debian\/)?(\d[\w.+-]*)/.exec(`${wrk.stdout ?? ''}${wrk.stderr ?? ''}`)?.[1];
  if (wrkVersion !== undefined) out.wrk = wrkVersion;
  const nginx = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  const nginxLine = `${nginx.stderr ?? ''}`.trim();
  if (nginxLine) out.nginx = nginxLine.replace(/^nginx version:\s*(nginx\/)?/, '');
  const bun = bunBinary(root);
  if (bun.path !== null) out.bun = bun.reason.replace(/^bun /, '');
  return out;
}
