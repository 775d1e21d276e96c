// Rejected requests are logged at info and counted, with at most a rate-limited summary at
// error (issue 12, defect 13): internet scanners must not flood the default log.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Logger } from '../../src/server/logger.js';
import { RejectSummary } from '../../src/server/reject-summary.js';
import { RawClient } from '../helpers/raw-client.js';
import { startServer } from '../helpers/server.js';

function sink(): { lines: { line: string; level: string }[]; logger: Logger } {
  const lines: { line: string; level: string }[] = [];
  return { lines, logger: new Logger('error', 'off', (line, level) => lines.push({ line, level })) };
}

describe('RejectSummary', () => {
  it('writes the first reject at once, then at most one line per interval, with counts by kind', () => {
    const { lines, logger } = sink();
    const summary = new RejectSummary(logger, 60_000);
    summary.count('INVALID_METHOD', 1_000);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!.line, /rejected 1 request: INVALID_METHOD 1/);
    for (let i = 0; i < 500; i++) summary.count(i % 2 === 0 ? 'INVALID_METHOD' : 'ERR_BODY_TOO_LARGE', 2_000 + i * 100);
    assert.equal(lines.length, 1, 'a flood within the minute writes nothing more');
    summary.flush(60_999);
    assert.equal(lines.length, 1);
    summary.flush(61_000);
    assert.equal(lines.length, 2, 'the clock tick after the interval writes the summary');
    assert.match(lines[1]!.line, /rejected 500 requests in the last 60 s: INVALID_METHOD 250, ERR_BODY_TOO_LARGE 250/);
    assert.ok(lines.every((l) => l.level === 'error'));
    summary.flush(200_000);
    assert.equal(lines.length, 2, 'nothing to summarise: no line');
  });

  it('costs nothing when the error level is off', () => {
    const lines: string[] = [];
    const summary = new RejectSummary(new Logger('silent', 'off', (line) => lines.push(line)));
    summary.count('X', 0);
    summary.flush(1e9);
    assert.deepEqual(lines, []);
  });
});

describe('malformed requests over sockets', () => {
  for (const level of ['error', 'info'] as const) {
    it(`logLevel ${level}: 20 malformed requests give one error line${level === 'info' ? ' and 20 info lines' : ''}, all counted`, { timeout: 10_000 }, async () => {
      const s = await startServer((_req, res) => res.end('ok'), { logLevel: level, metricsPath: '/metrics' } as never);
      try {
        for (let i = 0; i < 20; i++) {
          const client = await RawClient.connect(s.port);
          await client.write('get / HTTP/1.1\r\nHost: a\r\n\r\n');
          await client.readUntilClose(3_000);
          client.destroy();
        }
        const errors = s.logs.filter((l) => l.level === 'error');
        assert.equal(errors.length, 1, errors.map((l) => l.line).join('\n'));
        assert.match(errors[0]!.line, /rejected 1 request: /);
        const infos = s.logs.filter((l) => l.level === 'info' && l.line.includes('bad request'));
        assert.equal(infos.length, level === 'info' ? 20 : 0);
        assert.equal(s.server.stats.parseErrors, 20);
        const counted = Object.values(s.server.metricsSnapshot()?.parseErrors ?? {}).reduce((a, b) => a + b, 0);
        assert.equal(counted, 20);
      } finally {
        await s.close();
      }
    });
  }
});
