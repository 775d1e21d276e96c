// Zero-downtime reload under a real load generator: `brisk app --workers 2`, wrk hammering it
// over keep-alive connections, SIGHUP twice during the run (each replaces both workers, one at a
// time, with freshly imported code). wrk must report no socket errors and no non-2xx answer,
// and the app's new version must be serving at the end.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, get, startCli, tempDir, type CliProcess } from '../ops/support.js';
import { findExecutable } from './interop-support.js';

const wrk = findExecutable('wrk');
const SKIP = wrk === undefined ? 'wrk is not installed (apt-get install wrk)' : undefined;

interface WrkReport {
  requests: number;
  socketErrors: string | null;
  non2xx: number;
  output: string;
}

function runWrk(url: string, seconds: number): Promise<WrkReport> {
  return new Promise((resolve, reject) => {
    execFile(wrk as string, ['-t', '2', '-c', '16', '-d', `${seconds}s`, '--timeout', '5s', url], { timeout: (seconds + 20) * 1000 }, (error, stdout) => {
      if (error) return reject(error);
      const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? NaN);
      resolve({
        requests,
        socketErrors: /Socket errors:.*/.exec(stdout)?.[0] ?? null,
        non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
        output: stdout,
      });
    });
  });
}

describe('rolling reload under wrk: brisk --workers 2, SIGHUP during load', { skip: SKIP, timeout: 90_000 }, () => {
  let temp: ReturnType<typeof tempDir>;
  let appFile: string;
  let brisk: CliProcess;

  const writeApp = (version: string): void =>
    writeFileSync(appFile, `export default (req, res) => { res.setHeader('Content-Type', 'text/plain'); res.end('${version} ' + process.pid + '\\n'); };\n`);

  before(async () => {
    temp = tempDir('brisk-reload-');
    appFile = path.join(temp.dir, 'app.mjs');
    writeApp('v1');
    brisk = await startCli([appFile, '--port', '0', '--workers', '2']);
  });

  after(async () => {
    await brisk?.stop();
    temp?.remove();
  });

  it('two reloads during 8 s of load: no socket errors, no non-2xx, new code serving', async () => {
    const load = runWrk(`${brisk.origin}/`, 8);
    await sleep(1_500);
    writeApp('v2');
    brisk.signal('SIGHUP');
    await eventually(() => (brisk.stderr().match(/rolling restart done/g) ?? []).length === 1, 20_000, 'the first reload finishes');
    writeApp('v3');
    brisk.signal('SIGHUP');
    await eventually(() => (brisk.stderr().match(/rolling restart done/g) ?? []).length === 2, 20_000, 'the second reload finishes');
    const report = await load;
    assert.equal(report.socketErrors, null, report.output);
    assert.equal(report.non2xx, 0, report.output);
    assert.ok(report.requests > 1_000, report.output);
    assert.equal((await get(brisk.port, '/')).body.split(' ')[0], 'v3');
    brisk.signal('SIGTERM');
    assert.deepEqual(await brisk.exited, { code: 0, signal: null });
  });
});
