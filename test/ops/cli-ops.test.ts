// The CLI's operations flags as a user meets them: --help lists them, bad values exit 2 with a
// message naming the flag (in cluster mode too, from the primary, before any worker starts), and
// --access-log-file writes combined lines to a file that SIGHUP reopens after a rotation.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { OPS_FLAGS } from '../../src/ops/cli-options.js';
import { CLI_PATH, eventually, get, startCli, tempDir } from './support.js';

const run = promisify(execFile);
const TIMEOUT = { timeout: 20_000 };

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI_PATH, ...args], { timeout: 10_000, env: { ...process.env, HOST: '', PORT: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('brisk operations flags', () => {
  it('--help lists every operations flag and the signals', TIMEOUT, async () => {
    const { code, stdout } = await runCli(['--help']);
    assert.equal(code, 0);
    for (const flag of OPS_FLAGS) assert.match(stdout, new RegExp(`^  --${flag.flag}\\b`, 'm'), flag.flag);
    assert.match(stdout, /SIGHUP/);
    assert.match(stdout, /--access-log off\|common\|combined\|json/);
  });

  const bad: [args: string[], mentions: RegExp][] = [
    [['--trust-proxy', 'proxy.example'], /proxy\.example/],
    [['--proxy-protocol'], /trustProxy/],
    [['--health-path', 'healthz'], /healthPath/],
    [['--health-path', '/x', '--metrics-path', '/x'], /must differ/],
    [['--drain-delay', 'soon'], /--drain-delay/],
    [['--idle-grace', '-5'], /--idle-grace/],
    [['--cert', '/nonexistent.crt', '--key', '/nonexistent.key'], /cannot read the TLS certificate/],
    [['--workers', '2', '--trust-proxy', 'nonsense'], /nonsense/],
    [['--workers', '2', '--max-connections', '0'], /--max-connections/],
  ];
  for (const [args, mentions] of bad) {
    it(`brisk ${args.join(' ')} exits 2`, TIMEOUT, async () => {
      const { code, stderr } = await runCli(['--port', '0', ...args]);
      assert.equal(code, 2, stderr);
      assert.match(stderr, mentions);
      assert.doesNotMatch(stderr, /worker \d+ \(pid/, 'no worker was started');
    });
  }

  it('--access-log-file: combined lines in the file; SIGHUP reopens it after a rotation', TIMEOUT, async () => {
    const temp = tempDir('brisk-cli-log-');
    const file = path.join(temp.dir, 'access.log');
    const brisk = await startCli(['--port', '0', '--access-log-file', file]);
    try {
      await get(brisk.port, '/', { 'User-Agent': 'first' });
      await eventually(() => existsSync(file) && readFileSync(file, 'utf8').includes('"first"'), 3_000, 'the first line is written');
      assert.match(readFileSync(file, 'utf8'), /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 37 "-" "first"\n$/);
      assert.doesNotMatch(brisk.stdout(), /GET \//, 'not on stdout');
      renameSync(file, `${file}.1`);
      brisk.signal('SIGHUP');
      await sleepUntilReopened(file);
      await get(brisk.port, '/', { 'User-Agent': 'second' });
      await eventually(() => existsSync(file) && readFileSync(file, 'utf8').includes('"second"'), 3_000, 'the next line goes to the new file');
      assert.ok(!readFileSync(`${file}.1`, 'utf8').includes('second'));
      brisk.signal('SIGTERM');
      assert.deepEqual(await brisk.exited, { code: 0, signal: null });
    } finally {
      await brisk.stop();
      temp.remove();
    }
  });
});

/** reopenLogs creates the file as it opens it. */
async function sleepUntilReopened(file: string): Promise<void> {
  await eventually(() => existsSync(file), 3_000, `${file} is created again`);
}
