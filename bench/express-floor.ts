// `node dist/bench/express-floor.js [--requests N] [--rounds R] [--only K]`: what an Express request costs
// with no server at all (issue 16). The bench's Express app (servers/express-app.ts) answers the
// seed page to a GET made in-process: a real http.IncomingMessage and http.ServerResponse (made
// with Express's own prototypes, as brisk makes them, or plainly, as node:http does), and the
// app's res.end() is caught before any socket, framing or event. What is left is Express's own
// work (router, res.send, content-type, its ETag's sha1) plus node's objects and the header
// store it calls, which every engine that runs Express unchanged pays; a server's share of an
// Express request is what it costs above this floor.
//
// Read with the pipelined rows of `npm run bench` or `node dist/bench/cpu-cost.js` from the
// same minutes: node:http's µs per Express request divided by (this floor + the server's own
// cost) bounds the ratio any engine can reach on unchanged Express.
import { IncomingMessage, ServerResponse } from 'node:http';
import { makeRequest, makeResponse, objectKindsOf } from '../src/node-compat/prototypes.js';
import { expressApp } from './servers/express-app.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const REQUESTS = flag('--requests', 200_000);
const ROUNDS = flag('--rounds', 7);
/** `--only K`: just the K-th variant (0, 1, 2), e.g. for callgrind. */
const ONLY = flag('--only', -1);

const app = expressApp();
/** The objects brisk's compatibility layer makes for this app (src/node-compat/prototypes.ts). */
const KINDS = objectKindsOf(app);
const RAW = ['Host', '127.0.0.1', 'User-Agent', 'bench', 'Accept', '*/*'];

let ended = 0;
function endCaught(this: ServerResponse): ServerResponse {
  ended++;
  return this;
}

function pair(withPrototypes: boolean): [IncomingMessage, ServerResponse] {
  const req = withPrototypes ? makeRequest(KINDS, null) : new IncomingMessage(null as never);
  req.method = 'GET';
  req.url = '/';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.httpVersion = '1.1';
  req.rawHeaders = RAW.slice();
  req.headers = { host: '127.0.0.1', 'user-agent': 'bench', accept: '*/*' };
  req.complete = true;
  const res = withPrototypes ? makeResponse(KINDS, req) : new ServerResponse(req);
  (res as { end: unknown }).end = endCaught;
  return [req, res];
}

const VARIANTS: Record<string, () => void> = {
  'node objects only (req + res, Express prototypes)': () => {
    const [, res] = pair(true);
    res.end();
  },
  'Express, objects with its prototypes (as brisk makes them)': () => {
    const [req, res] = pair(true);
    app(req, res);
  },
  'Express, plain node objects (re-parented by Express, as on node:http)': () => {
    const [req, res] = pair(false);
    app(req, res);
  },
};

console.log(`Node ${process.version}: ns per request, ${ROUNDS} rounds x ${REQUESTS.toLocaleString('en-US')} requests (min, median)`);
for (const [k, [name, one]] of Object.entries(VARIANTS).entries()) {
  if (ONLY >= 0 && k !== ONLY) continue;
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const before = ended;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < REQUESTS; i++) one();
    samples.push(Number(process.hrtime.bigint() - t0) / REQUESTS);
    if (ended - before !== REQUESTS) throw new Error(`${name}: ${ended - before} of ${REQUESTS} responses ended`);
  }
  samples.sort((a, b) => a - b);
  console.log(`  ${name.padEnd(72)} ${samples[0].toFixed(0).padStart(6)} ${samples[samples.length >> 1].toFixed(0).padStart(6)}`);
}
