// `brisk app.ts` (issue 15): a TypeScript app module runs as it is on the Node lines that strip
// types by default (22.18+, 24, 26), and on older ones (20) the CLI exits 2 with a message that
// says what to do. Runs on whatever Node runs the suite; .ci/run runs it on 20, 22, 24 and 26.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchCli, runCli } from '../helpers/cli-process.js';

const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
/** Node strips types without a flag from 22.18 (and 23.6) on. */
const STRIPS_BY_DEFAULT = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);

// Type-only syntax everywhere: an interface, annotations, `import type` (erased, so 'brisk'
// need not resolve from the temporary folder), a `satisfies` and a generic.
const APP_TS = `import type { BriskRequest, BriskResponse } from 'brisk';
interface Greeting { readonly text: string }
function greet<T extends string>(path: T): Greeting {
  return { text: \`ts \${path}\` } satisfies Greeting;
}
export default (req: BriskRequest, res: BriskResponse): void => {
  res.setHeader('Content-Type', 'text/plain');
  res.end(greet(req.path).text);
};
`;

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'brisk-ts-'));
  writeFileSync(join(dir, 'app.ts'), APP_TS);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe(`brisk app.ts on Node ${process.version}`, { timeout: 30_000 }, () => {
  it('process.features.typescript agrees with the version rule the README states', () => {
    const typescript = (process.features as { typescript?: string | false }).typescript;
    assert.equal(typeof typescript === 'string' && typescript !== '', STRIPS_BY_DEFAULT, `features.typescript = ${String(typescript)}`);
  });

  it(STRIPS_BY_DEFAULT ? 'serves the module, types stripped by Node' : 'exits 2: needs Node 22.18+', async () => {
    if (STRIPS_BY_DEFAULT) {
      const server = await launchCli(['app.ts', '--port', '0'], { cwd: dir });
      try {
        const res = await fetch(`${server.origin}/hello`);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), 'ts /hello');
      } finally {
        await server.stop();
      }
    } else {
      const result = await runCli([join(dir, 'app.ts'), '--port', '0']);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /app\.ts needs Node 22\.18\+ .*compile it or run a newer Node/);
    }
  });
});
