// The modes: what load each one puts on a server and what number comes out of it.

export type ModeName = 'keepalive-c50' | 'keepalive-c256' | 'close' | 'pipelined' | 'upload' | 'download' | 'memory';

export interface Mode {
  readonly name: ModeName;
  readonly label: string;
  /** 'wrk': requests/s from wrk; 'memory': RSS bytes per idle connection. */
  readonly kind: 'wrk' | 'memory';
  /** Connections wrk keeps open (or idle connections opened, for memory). */
  readonly connections: number;
  /** Extra wrk arguments besides -t1 -c -d (headers, a Lua script under bench/wrk/). */
  readonly wrkArgs: readonly string[];
  readonly script: string | null;
  /** null: the contestant's seed path. */
  readonly path: string | null;
  /** What the raw ceiling is told to answer (it cannot read the request). */
  readonly rawResponse: 'seed' | 'close' | 'download';
  readonly unit: 'req/s' | 'bytes/conn';
  readonly higherIsBetter: boolean;
  /** One line for the README and --help. */
  readonly measures: string;
}

export const IDLE_CONNECTIONS = 5000;

export const MODES: readonly Mode[] = [
  {
    name: 'keepalive-c50', label: 'keep-alive c50', kind: 'wrk', connections: 50, wrkArgs: [], script: null, path: null,
    rawResponse: 'seed', unit: 'req/s', higherIsBetter: true,
    measures: 'GET of the seed page over 50 keep-alive connections, one request in flight on each',
  },
  {
    name: 'keepalive-c256', label: 'keep-alive c256', kind: 'wrk', connections: 256, wrkArgs: [], script: null, path: null,
    rawResponse: 'seed', unit: 'req/s', higherIsBetter: true,
    measures: 'the same with 256 connections: per-connection overhead and fairness under more sockets',
  },
  {
    name: 'close', label: 'Connection: close', kind: 'wrk', connections: 50, wrkArgs: ['-H', 'Connection: close'], script: null,
    path: null, rawResponse: 'close', unit: 'req/s', higherIsBetter: true,
    measures: 'one request per connection (`Connection: close`): accept, parse, answer, close',
  },
  {
    name: 'pipelined', label: 'pipelined ×16', kind: 'wrk', connections: 50, wrkArgs: [], script: 'pipeline.lua', path: null,
    rawResponse: 'seed', unit: 'req/s', higherIsBetter: true,
    measures: '16 requests per write on each of 50 connections (bench/wrk/pipeline.lua): per-request cost without per-read cost',
  },
  {
    name: 'upload', label: '1 MiB upload', kind: 'wrk', connections: 16, wrkArgs: [], script: 'upload.lua', path: '/upload',
    rawResponse: 'seed', unit: 'req/s', higherIsBetter: true,
    measures: 'POST of 1 MiB to /upload, read and discarded by the server, over 16 connections (bench/wrk/upload.lua)',
  },
  {
    name: 'download', label: '1 MiB download', kind: 'wrk', connections: 16, wrkArgs: [], script: null, path: '/download',
    rawResponse: 'download', unit: 'req/s', higherIsBetter: true,
    measures: 'GET /download, 1 MiB from a buffer allocated at start-up, over 16 connections',
  },
  {
    name: 'memory', label: 'RSS / idle conn', kind: 'memory', connections: IDLE_CONNECTIONS, wrkArgs: [], script: null, path: null,
    rawResponse: 'seed', unit: 'bytes/conn', higherIsBetter: false,
    measures: `server RSS growth per idle keep-alive connection, ${IDLE_CONNECTIONS} connections each having served one request`,
  },
];

export const QUICK_MODES: readonly ModeName[] = ['keepalive-c50', 'close', 'pipelined'];
export const QUICK_SERVERS: readonly string[] = ['brisk', 'brisk-fetch', 'node-http', 'raw'];
/** Every ratio is taken against these two; they are always run. */
export const BASELINE = 'node-http';
export const CEILING = 'raw';
/** Bun.serve: the runtime to beat (issue 14); every table has a ratio-to-it column. */
export const BUN = 'bun';

// --- the targets of issue 6 -------------------------------------------------------------------

export interface Target {
  readonly server: string;
  readonly mode: ModeName;
  readonly against: typeof BASELINE | typeof CEILING;
  readonly op: '>=' | '<=';
  readonly ratio: number;
}

export const TARGETS: readonly Target[] = [
  { server: 'brisk', mode: 'keepalive-c50', against: CEILING, op: '>=', ratio: 0.9 },
  { server: 'brisk', mode: 'keepalive-c256', against: CEILING, op: '>=', ratio: 0.85 },
  { server: 'brisk', mode: 'close', against: CEILING, op: '>=', ratio: 0.9 },
  { server: 'brisk', mode: 'pipelined', against: CEILING, op: '>=', ratio: 0.4 },
  { server: 'brisk-fetch', mode: 'keepalive-c50', against: CEILING, op: '>=', ratio: 0.8 },
  { server: 'brisk-router', mode: 'keepalive-c50', against: CEILING, op: '>=', ratio: 0.85 },
  { server: 'brisk', mode: 'upload', against: BASELINE, op: '>=', ratio: 1.0 },
  { server: 'brisk', mode: 'download', against: BASELINE, op: '>=', ratio: 1.0 },
  { server: 'brisk', mode: 'memory', against: BASELINE, op: '<=', ratio: 0.5 },
];

export function describeTarget(t: Target): string {
  return `${t.op === '>=' ? '≥' : '≤'} ${t.ratio.toFixed(2)}× ${t.against === CEILING ? 'raw' : 'node:http'}`;
}
