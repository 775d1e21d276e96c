// `brisk app --workers N`: workers share the port; a killed worker is restarted (with backoff,
// reported); SIGHUP replaces the workers one at a time with fresh code while a keep-alive load
// runs, and no request fails; SIGTERM drains every worker (a slow request in flight completes)
// and the primary exits 0; metrics are summed over the workers. Each test runs its own cluster.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, get, startCli, startLoad, tempDir, type CliProcess } from './support.js';

const TIMEOUT = { timeout: 45_000 };

let temp: ReturnType<typeof tempDir>;
let appFile: string;

/** The app answers "<version> <pid>"; /slow takes 800 ms. */
function writeApp(version: string): void {
  writeFileSync(
    appFile,
    `import { setTimeout as sleep } from 'node:timers/promises';
export default async (req, res) => {
  if (req.path === '/slow') await sleep(800);
  res.setHeader('Content-Type', 'text/plain');
  res.end('${version} ' + process.pid + '\\n');
};
`,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Worker pids seen answering `count` fresh-connection requests. */
async function answeringPids(port: number, count = 12): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < count; i++) pids.add(Number((await get(port, '/')).body.split(' ')[1]));
  return pids;
}

before(() => {
  temp = tempDir('brisk-cluster-');
  appFile = path.join(temp.dir, 'app.mjs');
});
after(() => temp.remove());

describe('brisk --workers', () => {
  let brisk: CliProcess;
  const started: CliProcess[] = [];
  const launch = async (args: string[]): Promise<CliProcess> => {
    const child = await startCli(args);
    started.push(child);
    return child;
  };
  after(async () => {
    for (const child of started) await child.stop();
  });

  it('two workers share the port; a killed worker is restarted and reported', TIMEOUT, async () => {
    writeApp('v1');
    brisk = await launch([appFile, '--port', '0', '--workers', '2', '--metrics-path', '/metrics']);
    assert.match(brisk.stdout(), /\(2 workers, primary pid \d+\)/);
    const pids = await answeringPids(brisk.port);
    assert.equal(pids.size, 2, `answered by ${[...pids].join(', ')}`);
    assert.ok(!pids.has(brisk.pid), 'the primary does not serve');

    const metrics = await get(brisk.port, '/metrics');
    assert.match(metrics.body, /^brisk_processes 2$/m, 'metrics cover both workers');
    assert.match(metrics.body, /^brisk_http_requests_total\{code="200"\} 12$/m);

    const [victim] = pids;
    process.kill(victim, 'SIGKILL');
    await eventually(() => /died \(signal SIGKILL\) after \d+ ms; restarting in 100 ms/.test(brisk.stderr()), 5_000, 'the primary reports the crash');
    await eventually(() => (brisk.stderr().match(/listening/g) ?? []).length >= 3, 10_000, 'a replacement worker listens');
    const after = await answeringPids(brisk.port);
    assert.equal(after.size, 2);
    assert.ok(!after.has(victim));

    brisk.signal('SIGTERM');
    assert.deepEqual(await brisk.exited, { code: 0, signal: null });
    for (const pid of after) await eventually(() => !alive(pid), 5_000, `worker ${pid} exits`);
  });

  it('SIGHUP: rolling restart under keep-alive load, new code, zero failed requests', TIMEOUT, async () => {
    writeApp('v1');
    brisk = await launch([appFile, '--port', '0', '--workers', '2']);
    const oldPids = await answeringPids(brisk.port);
    const load = startLoad(brisk.port, { concurrency: 8 });
    await sleep(500);
    writeApp('v2');
    brisk.signal('SIGHUP');
    await eventually(() => brisk.stderr().includes('rolling restart done'), 30_000, 'the rolling restart finishes');
    await sleep(500);
    const result = await load.stop();
    assert.deepEqual(result.failures, [], `${result.failures.length} of ${result.ok + result.failures.length} requests failed`);
    assert.ok(result.ok > 200, `only ${result.ok} requests completed`);
    assert.ok((result.bodies.get('v1') ?? 0) > 0 && (result.bodies.get('v2') ?? 0) > 0, JSON.stringify([...result.bodies]));
    const newPids = await answeringPids(brisk.port);
    assert.equal((await get(brisk.port, '/')).body.split(' ')[0], 'v2');
    for (const pid of oldPids) assert.ok(!newPids.has(pid) && !alive(pid), `old worker ${pid} is gone`);

    brisk.signal('SIGTERM');
    assert.deepEqual(await brisk.exited, { code: 0, signal: null });
  });

  it('SIGTERM: every worker drains — a request in flight completes — and the primary exits 0', TIMEOUT, async () => {
    writeApp('v1');
    brisk = await launch([appFile, '--port', '0', '--workers', '2', '--shutdown-timeout', '5000']);
    const pids = await answeringPids(brisk.port);
    const inFlight = [get(brisk.port, '/slow'), get(brisk.port, '/slow')];
    await sleep(200);
    const started = performance.now();
    brisk.signal('SIGTERM');
    const responses = await Promise.all(inFlight);
    for (const response of responses) {
      assert.equal(response.status, 200);
      assert.equal(response.headers.connection, 'close');
    }
    assert.deepEqual(await brisk.exited, { code: 0, signal: null });
    assert.ok(performance.now() - started < 4_000, 'exited once drained, well before the shutdown timeout');
    for (const pid of pids) await eventually(() => !alive(pid), 5_000, `worker ${pid} exits`);
    assert.match(brisk.stderr(), /SIGTERM: draining 2 workers/);
  });

  it('--workers auto starts one worker per core', TIMEOUT, async () => {
    writeApp('v1');
    brisk = await launch([appFile, '--port', '0', '--workers', 'auto']);
    assert.match(brisk.stdout(), new RegExp(`\\(${availableParallelism()} workers`));
    brisk.signal('SIGINT');
    assert.deepEqual(await brisk.exited, { code: 0, signal: null });
  });

  it('a usage error in the workers stops the primary with exit 2 (no crash loop)', TIMEOUT, async () => {
    const bad = path.join(temp.dir, 'not-an-app.mjs');
    writeFileSync(bad, 'export const x = 1;\n');
    const error = await startCli([bad, '--port', '0', '--workers', '2']).then(
      () => assert.fail('should not listen'),
      (e: Error) => e,
    );
    assert.match(error.message, /exited early \(2\)/);
    assert.match(error.message, /usage error; stopping/);
  });

  it('bad --workers values are usage errors', TIMEOUT, async () => {
    for (const value of ['0', 'many', '-1']) {
      const error = await startCli(['--port', '0', '--workers', value]).then(
        () => assert.fail('should not listen'),
        (e: Error) => e,
      );
      assert.match(error.message, /exited early \(2\)/, value);
    }
  });
});
