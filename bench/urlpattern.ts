// `node dist/bench/urlpattern.js [--quick]` (Node 24+): brisk's Router against the Web-standard
// URLPattern on the same route tables (issue 15: adopt URLPattern only if it is faster). URLPattern
// matches one pattern at a time, so the URLPattern router is what an app would write: a list per
// table, tried in order, exec() on the first that matches (params included, as Router.match gives
// them); `test()` then `exec()` is measured too. Interleaved rounds in one process; medians of ns
// per lookup. Same paths, same answers (checked before timing).
import { Router } from '../src/app/router.js';

interface PatternResult {
  pathname: { groups: Record<string, string | undefined> };
}
interface URLPatternLike {
  test(input: { pathname: string }): boolean;
  exec(input: { pathname: string }): PatternResult | null;
}
type URLPatternClass = new (init: { pathname: string }) => URLPatternLike;

const URLPatternCtor = (globalThis as { URLPattern?: URLPatternClass }).URLPattern;
if (URLPatternCtor === undefined) {
  console.log(`URLPattern is not available in Node ${process.version} (24+ has it)`);
  process.exit(0);
}

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
/** Each sample runs for this long (URLPattern lists are tens of µs per lookup, the router well under one). */
const SAMPLE_MS = quick ? 50 : 200;

/** A REST-like table: `resources` resources, each with list, item, and a nested collection. */
function table(resources: number): string[] {
  const routes = ['/', '/health', '/static/*'];
  for (let i = 0; i < resources; i++) routes.push(`/r${i}`, `/r${i}/:id`, `/r${i}/:id/items/:item`);
  return routes;
}

function paths(resources: number): string[] {
  const out = ['/', '/health', '/static/css/site.css', '/nope/at/all'];
  for (let i = 0; i < resources; i += Math.max(1, Math.floor(resources / 4))) {
    out.push(`/r${i}`, `/r${i}/42`, `/r${i}/42/items/7`);
  }
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const noop = (): void => {};
let sink = 0;

for (const resources of [3, 16, 64]) {
  const routes = table(resources);
  const inputs = paths(resources);
  const router = new Router();
  for (const r of routes) router.get(r, noop);
  const patterns = routes.map((r) => new URLPatternCtor({ pathname: r }));

  const viaRouter = (path: string): Record<string, string> | null => {
    const m = router.match('GET', path);
    return m !== null && 'params' in m ? m.params : null;
  };
  const viaExec = (path: string): Record<string, string | undefined> | null => {
    for (const p of patterns) {
      const m = p.exec({ pathname: path });
      if (m !== null) return m.pathname.groups;
    }
    return null;
  };
  const viaTest = (path: string): Record<string, string | undefined> | null => {
    for (const p of patterns) if (p.test({ pathname: path })) return p.exec({ pathname: path })!.pathname.groups;
    return null;
  };
  // Same answers first: a faster wrong matcher proves nothing.
  for (const path of inputs) {
    const a = viaRouter(path);
    const b = viaExec(path);
    if ((a === null) !== (b === null)) throw new Error(`${path}: router ${JSON.stringify(a)} vs URLPattern ${JSON.stringify(b)}`);
    if (a !== null && b !== null) {
      // The router names the wildcard '*', URLPattern numbers it '0'.
      for (const [k, v] of Object.entries(a)) if (b[k === '*' ? '0' : k] !== v) throw new Error(`${path}: param ${k} ${v} vs ${JSON.stringify(b)}`);
    }
  }

  const contestants: [string, (path: string) => unknown][] = [
    ['Router.match', viaRouter],
    ['URLPattern exec() list', viaExec],
    ['URLPattern test() then exec()', viaTest],
  ];
  const samples = new Map<string, number[]>(contestants.map(([n]) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of contestants) {
      const started = process.hrtime.bigint();
      const until = started + BigInt(SAMPLE_MS * 1e6);
      let lookups = 0;
      do {
        for (const path of inputs) if (fn(path) !== null) sink++;
        lookups += inputs.length;
      } while (process.hrtime.bigint() < until);
      samples.get(name)!.push(Number(process.hrtime.bigint() - started) / lookups);
    }
  }
  const base = median(samples.get('Router.match')!);
  console.log(`${routes.length} routes, ${inputs.length} paths, Node ${process.version}:`);
  for (const [name] of contestants) {
    const ns = median(samples.get(name)!);
    console.log(`  ${name.padEnd(32)} ${ns.toFixed(0).padStart(7)} ns/lookup  ${(ns / base).toFixed(1)}× Router`);
  }
}
if (sink === 0) console.log('(nothing matched)');
