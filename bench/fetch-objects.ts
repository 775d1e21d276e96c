// What a fetch app's Web objects cost on this Node line: `new Response('hello')`, the same
// through brisk's FastResponse, `new Request(url)`, and a Response's body read through its
// stream (what the fetch adapter does for a native Response). Decides brisk's default for fetch
// apps (docs/app-router-fetch.md). Run with each Node binary:
//   node dist/bench/fetch-objects.js [--ms 400] [--rounds 5]
import { parseArgs } from 'node:util';
import { FastResponse } from '../src/app/fast-response.js';

const { values } = parseArgs({ options: { ms: { type: 'string', default: '400' }, rounds: { type: 'string', default: '5' } } });
const budgetMs = Number(values.ms);
const rounds = Number(values.rounds);
const NativeResponse = globalThis.Response;
let sink: unknown;

/** µs per call: median over rounds of a timed loop of `batch`-sized steps. */
async function measure(step: (i: number) => unknown, asyncStep = false): Promise<number> {
  const results: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < budgetMs) {
      for (let k = 0; k < 256; k++) {
        const value = step(n++);
        sink = asyncStep ? await value : value;
      }
      now = performance.now();
    }
    if (r > 0) results.push(((now - start) * 1000) / n); // round 0 warms up
  }
  results.sort((a, b) => a - b);
  return results[results.length >> 1];
}

async function readWhole(response: Response): Promise<number> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return length;
    length += value.byteLength;
  }
}

const rows: [string, number][] = [
  ["new Response('hello')", await measure(() => new NativeResponse('hello'))],
  ["new FastResponse('hello')", await measure(() => new FastResponse('hello'))],
  ['new Request(url)', await measure((i) => new Request(`http://localhost:3000/p/${i & 7}`))],
  ["new Response('hello') + read its stream", await measure(() => readWhole(new NativeResponse('hello')), true)],
];
console.log(`${process.version}: ${rows.map(([name, us]) => `${name} ${us.toFixed(2)} µs`).join('; ')}`);
void sink;
