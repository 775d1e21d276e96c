// The layering of src/, read from the sources' import statements (type imports count: a type
// cycle is still two modules that cannot be understood one without the other):
//   parser     imports nothing outside src/parser (no packages, no node: modules either: it is pure);
//   http       imports only src/http and src/parser (pure serialisation);
//   server, transport  never import src/app (nor the entry points above the core);
//   ops (the operations beside the core: PROXY protocol, trusted proxies, metrics, health
//        endpoints, cluster) never import src/app; the core uses only its policies (ops/cluster.ts
//        and ops/cli-options.ts sit above the core), and the policies use of src/server only
//        the request, logger and type modules;
//   transport imports nothing of src/server (Session sits on it, not the reverse);
//   app, node-compat  import from the rest of src/ only the public core (src/core.ts, or src/index.ts types);
//   (app-kinds.ts, above both, picks the adapter for an app);
//   and no import cycle anywhere in src/.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

/** The repository's src/, found from dist/test/ (compiled) or test/ (sources). */
function findSrc(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'src');
    if (existsSync(join(candidate, 'core.ts'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('src/ not found');
}

const SRC = findSrc();

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTs(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

interface Import {
  readonly specifier: string;
  /** The src/-relative module it resolves to ('parser/index.ts'), or null for a package / node: module. */
  readonly target: string | null;
  readonly line: number;
}

/** Static imports and re-exports (`import`, `import type`, `export … from`) and dynamic import('…'). */
const IMPORT_PATTERN = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8')
    // Comments may quote import statements; they are not imports.
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: Import[] = [];
  for (const m of text.matchAll(IMPORT_PATTERN)) {
    const specifier = (m[1] ?? m[2]) as string;
    const line = text.slice(0, m.index).split('\n').length;
    if (!specifier.startsWith('.')) {
      out.push({ specifier, target: null, line });
      continue;
    }
    const resolved = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
    out.push({ specifier, target: relative(SRC, resolved).split(sep).join('/'), line });
  }
  return out;
}

const FILES = listTs(SRC).map((f) => relative(SRC, f).split(sep).join('/')).sort();
const GRAPH = new Map<string, Import[]>(FILES.map((f) => [f, importsOf(join(SRC, f))]));

const layerOf = (module: string): string => (module.includes('/') ? module.slice(0, module.indexOf('/')) : module);

/** Every import of `layer`'s modules that `allowed` refuses, as "file:line → specifier". */
function violations(layer: string, allowed: (imp: Import) => boolean): string[] {
  const out: string[] = [];
  for (const [file, imports] of GRAPH) {
    if (layerOf(file) !== layer) continue;
    for (const imp of imports) if (!allowed(imp)) out.push(`${file}:${imp.line} → ${imp.specifier}`);
  }
  return out;
}

test('the import scanner sees the imports it must see', () => {
  assert.ok(FILES.length > 50, `${FILES.length} files`);
  const session = GRAPH.get('server/session.ts')?.map((i) => i.target) ?? [];
  assert.ok(session.includes('parser/index.ts'), 'session.ts imports the parser');
  const core = GRAPH.get('core.ts')?.map((i) => i.target) ?? [];
  assert.ok(core.includes('server/server.ts'), 'core.ts re-exports server.ts');
  for (const imports of GRAPH.values()) for (const imp of imports) {
    if (imp.target !== null) assert.ok(GRAPH.has(imp.target), `${imp.specifier} resolves to a file in src/ (${imp.target})`);
  }
});

test('parser imports nothing outside src/parser', () => {
  assert.deepEqual(violations('parser', (imp) => imp.target !== null && layerOf(imp.target) === 'parser'), []);
});

test('http imports only src/http and src/parser', () => {
  assert.deepEqual(
    violations('http', (imp) => imp.target !== null && (layerOf(imp.target) === 'http' || layerOf(imp.target) === 'parser')),
    [],
  );
});

const ABOVE_THE_CORE = new Set(['app', 'node-compat', 'app-kinds.ts', 'index.ts', 'cli.ts']);
/** The modules of src/ops/ that sit above the core (they drive a Server); the rest are policies the core calls. */
const OPS_ABOVE_THE_CORE = new Set(['ops/cluster.ts', 'ops/cli-options.ts']);

test('server and transport never import src/app (nor what sits above the core)', () => {
  for (const layer of ['server', 'transport']) {
    assert.deepEqual(
      violations(layer, (imp) => imp.target === null || (!ABOVE_THE_CORE.has(layerOf(imp.target)) && !OPS_ABOVE_THE_CORE.has(imp.target))),
      [],
      layer,
    );
  }
});

test('transport imports nothing of src/server or src/ops', () => {
  assert.deepEqual(violations('transport', (imp) => imp.target === null || !['server', 'ops'].includes(layerOf(imp.target))), []);
});

test('ops: never src/app; its policies use of the core only the parser, http, transport and server request/logger/types', () => {
  const SERVER_MODULES_FOR_POLICIES = new Set(['server/request.ts', 'server/logger.ts', 'server/types.ts', 'server/options.ts']);
  assert.deepEqual(violations('ops', (imp) => imp.target === null || !ABOVE_THE_CORE.has(layerOf(imp.target))), []);
  const out: string[] = [];
  for (const [file, imports] of GRAPH) {
    if (layerOf(file) !== 'ops' || OPS_ABOVE_THE_CORE.has(file)) continue;
    for (const imp of imports) {
      if (imp.target === null || layerOf(imp.target) !== 'server' || SERVER_MODULES_FOR_POLICIES.has(imp.target)) continue;
      out.push(`${file}:${imp.line} → ${imp.specifier}`);
    }
  }
  assert.deepEqual(out, []);
});

test('app and node-compat import only the public core (src/core.ts; types from src/index.ts)', () => {
  const text = (file: string, line: number): string => readFileSync(join(SRC, file), 'utf8').split('\n')[line - 1] ?? '';
  const out: string[] = [];
  for (const [file, imports] of GRAPH) {
    const layer = layerOf(file);
    if (layer !== 'app' && layer !== 'node-compat') continue;
    for (const imp of imports) {
      if (imp.target === null || layerOf(imp.target) === layer || imp.target === 'core.ts') continue;
      if (imp.target === 'index.ts' && /^\s*import\s+type\b/.test(text(file, imp.line))) continue;
      out.push(`${file}:${imp.line} → ${imp.specifier}`);
    }
  }
  assert.deepEqual(out, []);
});

test('no import cycle in src/ (type imports count)', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const imp of GRAPH.get(file) ?? []) {
      const next = imp.target;
      if (next === null || !GRAPH.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of FILES) if (!state.has(file)) visit(file);
  assert.deepEqual(cycles, []);
});
