// The package as users get it (issue 12, defect 11): `npm pack`, install the tarball into an
// empty project, and run its `brisk` bin there — with no app (the bundled demo and its public/
// files), with a `.mjs` handler module that imports 'brisk', and with an unchanged Hono app.
// Needs the built dist/ (npm test builds first) and npm; the install resolves mime-types, ws and
// hono from the npm cache (--prefer-offline). Every server listens on port 0 and is killed by PID.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { launchCli, type BriskProcess } from '../helpers/cli-process.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SEED_PAGE = '<html><body>Hello World</body></html>';
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };

/** This process's environment without the outer npm script's npm_package_* / npm_lifecycle_* variables. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_(package|lifecycle)_/i.test(k)) env[k] = v;
  // The bin's `#!/usr/bin/env node` and npm itself must find the Node that runs this test.
  env.PATH = `${dirname(process.execPath)}${delimiter}${env.PATH ?? ''}`;
  return env;
}

let tmp: string;
let project: string;
let packedFiles: string[];
const servers: BriskProcess[] = [];

async function startBin(args: string[]): Promise<BriskProcess> {
  const server = await launchCli([...args, '--port', '0'], {
    command: [join(project, 'node_modules', '.bin', 'brisk')],
    cwd: project,
    env: npmEnv(),
    timeoutMs: 15_000,
  });
  servers.push(server);
  return server;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'brisk-pack-'));
  // --ignore-scripts: dist/ is already built, and `prepare` would run tsc again.
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: ROOT, env: npmEnv(), timeout: 60_000 });
  const [info] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  packedFiles = info.files.map((f) => f.path);
  project = join(tmp, 'project');
  await run('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'brisk-user', version: '1.0.0', private: true }));
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(tmp, info.filename), `hono@${pkg.devDependencies.hono}`],
    { cwd: project, env: npmEnv(), timeout: 120_000 },
  );
});

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe('the packed tarball, installed into an empty project', { timeout: 180_000 }, () => {
  it('ships the CLI, the demo and its public files, and no tests or sources', () => {
    for (const f of ['dist/src/cli.js', 'dist/src/index.js', 'dist/examples/demo/app.js', 'examples/demo/public/index.html', 'examples/demo/public/style.css', 'examples/demo/public/x.png', 'package.json']) {
      assert.ok(packedFiles.includes(f), `${f} is missing from the tarball`);
    }
    assert.deepEqual(packedFiles.filter((f) => f.startsWith('dist/test/') || f.startsWith('dist/bench/') || f.startsWith('src/')), []);
  });

  it('brisk with no app module serves the demo: the seed page and its static files', async () => {
    const server = await startBin([]);
    const res = await fetch(`${server.origin}/`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), SEED_PAGE);
    const page = await fetch(`${server.origin}/static/index.html`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const css = await fetch(`${server.origin}/static/style.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    await server.stop();
  });

  it('brisk app.mjs runs a handler module that imports brisk (a Router)', async () => {
    writeFileSync(
      join(project, 'app.mjs'),
      "import { Router } from 'brisk';\n" +
        'const router = new Router();\n' +
        "router.get('/hello/:name', (req, res) => res.end(`hello ${req.params.name}`));\n" +
        'export default router;\n',
    );
    const server = await startBin(['app.mjs']);
    const res = await fetch(`${server.origin}/hello/pack`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hello pack');
    assert.equal((await fetch(`${server.origin}/nope`)).status, 404);
    await server.stop();
  });

  it('brisk hono-app.mjs runs an unchanged Hono app', async () => {
    writeFileSync(
      join(project, 'hono-app.mjs'),
      "import { Hono } from 'hono';\n" +
        'const app = new Hono();\n' +
        "app.get('/', (c) => c.text('Hello Hono!'));\n" +
        "app.post('/echo', async (c) => c.json({ got: await c.req.json() }));\n" +
        'export default app;\n',
    );
    const server = await startBin(['hono-app.mjs']);
    const res = await fetch(`${server.origin}/`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'Hello Hono!');
    const echo = await fetch(`${server.origin}/echo`, { method: 'POST', body: JSON.stringify({ a: 1 }), headers: { 'content-type': 'application/json' } });
    assert.deepEqual(await echo.json(), { got: { a: 1 } });
    await server.stop();
  });
});
