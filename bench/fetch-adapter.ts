// The fetch adapter's own cost per request, with no socket under it: toHandler(app) called with a
// stand-in brisk request and response, for the bench's Hono app (FastResponse installed, as the
// CLI does) and for a bare `{ fetch }` app. A wrk run's CPU time is mostly the kernel's (read,
// write), which a loaded machine inflates; this isolates the part the adapter controls.
//   node dist/bench/fetch-adapter.js [--ms 400] [--rounds 7]
import { parseArgs } from 'node:util';
import { installFastResponse } from '../src/app/fast-response.js';
import { toHandler } from '../src/app/fetch.js';
import type { BriskRequest, BriskResponse } from '../src/core.js';
import honoApp from './servers/hono-app.js';
import { SEED_BODY, SEED_TYPE } from './servers/common.js';

const { values } = parseArgs({ options: { ms: { type: 'string', default: '400' }, rounds: { type: 'string', default: '7' } } });
installFastResponse();

const raw = ['Host', 'localhost:3000', 'User-Agent', 'wrk', 'Accept', '*/*'];
const fields = {
  raw,
  get: (name: string) => (name.toLowerCase() === 'host' ? 'localhost:3000' : undefined),
  has: (name: string) => name.toLowerCase() === 'host',
};
const req = { method: 'GET', target: '/', path: '/', search: '', host: 'localhost:3000', protocol: 'http', headers: fields } as unknown as BriskRequest;
let written = 0;
class StubResponse {
  status = 200;
  headersSent = false;
  appendHeader(_name: string, _value: string): this {
    return this;
  }
  setHeader(_name: string, _value: unknown): this {
    return this;
  }
  end(body?: string | Uint8Array): void {
    written += body === undefined ? 0 : body.length;
  }
}

async function measure(handler: (req: BriskRequest, res: BriskResponse) => unknown): Promise<number> {
  const results: number[] = [];
  for (let r = 0; r <= Number(values.rounds); r++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < Number(values.ms)) {
      for (let k = 0; k < 256; k++) {
        const pending = handler(req, new StubResponse() as unknown as BriskResponse);
        if (pending !== undefined) await pending;
        n++;
      }
      now = performance.now();
    }
    if (r > 0) results.push(((now - start) * 1000) / n);
  }
  results.sort((a, b) => a - b);
  return results[results.length >> 1] as number;
}

const bare = { fetch: () => new Response(SEED_BODY, { headers: { 'Content-Type': SEED_TYPE } }) };
const rows: [string, number][] = [
  ['Hono app', await measure(toHandler(honoApp))],
  ['{ fetch } app', await measure(toHandler(bare))],
];
console.log(`${process.version}: ${rows.map(([name, us]) => `${name} ${us.toFixed(3)} µs`).join('; ')} (${written > 0 ? 'ok' : 'nothing written'})`);
