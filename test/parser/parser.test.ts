// Unit tests of the request parser's own rules, as tables of raw bytes. Every error code of
// src/parser/errors.ts has at least one row (error-cases.ts); each row is also fed one byte at a
// time and must give the same code at the same offset. Then: limits at their boundaries, pause/resume,
// upgrades, pipelining, body views, finish() and reset().
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { RequestParser, ParserStatus, BodyKind, type HeadInfo, type ParserHandler } from '../../src/parser/index.js';
import { PARSE_ERRORS, type ParseErrorCode } from '../../src/parser/errors.js';
import type { ParserLimits } from '../../src/parser/options.js';
import { latin1, pairs, runParser, splitEvery, type ParseRun } from '../helpers/parser-harness.js';
import { CHUNKED, ERROR_ROWS, GET, H } from './error-cases.js';

function errorOf(run: ParseRun, atEof: boolean): { code: string; offset: number } | null {
  if (atEof) return run.finish === null || run.finish === undefined ? null : { code: run.finish, offset: -1 };
  return run.error === null ? null : { code: run.error.code, offset: run.error.offset };
}

describe('error codes: one row per rule, whole and byte by byte', () => {
  for (const row of ERROR_ROWS) {
    test(`${row.code}: ${row.name}`, () => {
      const input = latin1(row.input);
      const options = { limits: row.limits, finish: row.atEof === true };
      const whole = runParser([input], options);
      const bytes = runParser(splitEvery(input, 1), options);
      for (const run of [whole, bytes]) {
        assert.deepEqual(run.violations, []);
        assert.notEqual(run.outcome, 'threw', run.thrown);
      }
      const e = errorOf(whole, row.atEof === true);
      assert.ok(e !== null, `expected ${row.code}, parsed without error: ${JSON.stringify(whole.events)}`);
      assert.equal(e.code, row.code);
      if (row.offset !== undefined) assert.equal(e.offset, row.offset, 'error offset');
      if (!row.atEof) {
        assert.equal(whole.error!.status, PARSE_ERRORS[row.code].status);
        assert.ok(whole.error!.offset <= input.length, 'offset within the input');
        assert.equal(whole.error!.consumedOffset, whole.error!.offset, 'execute() returns the bytes before the error');
      }
      assert.deepEqual(errorOf(bytes, row.atEof === true), e, 'byte-by-byte feeding gives the same error');
      assert.equal(whole.messages.filter((m) => m.complete).length, bytes.messages.filter((m) => m.complete).length);
    });
  }

  test('every ParseErrorCode has a row', () => {
    const covered = new Set(ERROR_ROWS.map((r) => r.code));
    const missing = Object.keys(PARSE_ERRORS).filter((code) => !covered.has(code as ParseErrorCode));
    assert.deepEqual(missing, []);
  });

  test('statuses: 414, 431, 501 and 505 where the RFC says so', () => {
    assert.equal(PARSE_ERRORS.TARGET_TOO_LONG.status, 414);
    assert.equal(PARSE_ERRORS.HEADERS_TOO_LARGE.status, 431);
    assert.equal(PARSE_ERRORS.TOO_MANY_HEADERS.status, 431);
    assert.equal(PARSE_ERRORS.UNKNOWN_METHOD.status, 501);
    assert.equal(PARSE_ERRORS.UNSUPPORTED_TRANSFER_CODING.status, 501);
    assert.equal(PARSE_ERRORS.UNSUPPORTED_VERSION.status, 505);
  });
});

/** Whole, byte by byte and in two halves: the same events, and the first run is returned. */
function parseEveryWay(input: string, limits?: Partial<ParserLimits>, finish = false): ParseRun {
  const bytes = latin1(input);
  const runs = [[bytes], splitEvery(bytes, 1), splitEvery(bytes, Math.ceil(bytes.length / 2))].map((p) => runParser(p, { limits, finish }));
  for (const run of runs) {
    assert.deepEqual(run.violations, []);
    assert.deepEqual(run.events, runs[0]!.events);
  }
  return runs[0]!;
}

describe('limits at their boundaries', () => {
  test('request-target of exactly maxTargetBytes passes; one more is 414', () => {
    const ok = parseEveryWay(`GET /2345678 HTTP/1.1\r\n${H}\r\n`, { maxTargetBytes: 8 });
    assert.equal(ok.outcome, 'accept');
    assert.equal(ok.messages[0]!.target, '/2345678');
    const tooLong = parseEveryWay(`GET /23456789 HTTP/1.1\r\n${H}\r\n`, { maxTargetBytes: 8 });
    assert.equal(tooLong.error?.code, 'TARGET_TOO_LONG');
    assert.equal(tooLong.error?.status, 414);
  });

  test('head of exactly maxHeadBytes passes; one more byte is 431', () => {
    const head = `${GET}X: aaaaaaaa\r\n\r\n`;
    const ok = parseEveryWay(head, { maxHeadBytes: head.length });
    assert.equal(ok.outcome, 'accept');
    const tooBig = parseEveryWay(head, { maxHeadBytes: head.length - 1 });
    assert.equal(tooBig.error?.code, 'HEADERS_TOO_LARGE');
    assert.equal(tooBig.error?.status, 431);
    assert.equal(tooBig.error?.offset, head.length - 1);
  });

  test('an unfinished head of exactly maxHeadBytes waits for more at any split', () => {
    const head = `${GET}X: aaaaaaaa\r\n`;
    const run = parseEveryWay(head, { maxHeadBytes: head.length });
    assert.equal(run.outcome, 'accept');
    assert.equal(run.messages[0]!.headersComplete, false);
  });

  test('the limit applies to each head of a pipeline, not to the connection', () => {
    const head = `${GET}\r\n`;
    const run = parseEveryWay(head.repeat(5), { maxHeadBytes: head.length });
    assert.equal(run.messages.filter((m) => m.complete).length, 5);
  });

  test('a trailer section is bounded by maxHeadBytes too', () => {
    const trailers = `X: ${'a'.repeat(80)}\r\n\r\n`;
    const run = parseEveryWay(`${CHUNKED}0\r\n${trailers}`, { maxHeadBytes: 64 });
    assert.equal(run.error?.code, 'HEADERS_TOO_LARGE');
  });

  test('exactly maxHeaderCount fields pass; one more is 431', () => {
    const ok = parseEveryWay(`${GET}A: 1\r\n\r\n`, { maxHeaderCount: 2 });
    assert.equal(ok.outcome, 'accept');
    const tooMany = parseEveryWay(`${GET}A: 1\r\nB: 2\r\n\r\n`, { maxHeaderCount: 2 });
    assert.equal(tooMany.error?.code, 'TOO_MANY_HEADERS');
    assert.equal(tooMany.error?.status, 431);
  });

  test('chunk extensions of exactly maxChunkExtensionBytes pass; one more is 400', () => {
    const ok = parseEveryWay(`${CHUNKED}5;abc\r\nhello\r\n0\r\n\r\n`, { maxChunkExtensionBytes: 4 });
    assert.equal(ok.outcome, 'accept');
    assert.equal(ok.messages[0]!.body.toString(), 'hello');
    const tooLong = parseEveryWay(`${CHUNKED}5;abcd\r\nhello\r\n0\r\n\r\n`, { maxChunkExtensionBytes: 4 });
    assert.equal(tooLong.error?.code, 'CHUNK_EXTENSION_TOO_LONG');
  });

  test('limits must be positive integers', () => {
    const handler = recordingHandler().handler;
    assert.throws(() => new RequestParser(handler, { maxHeadBytes: 0 }), RangeError);
    assert.throws(() => new RequestParser(handler, { maxTargetBytes: 1.5 }), RangeError);
  });
});

// ---- a hand-driven parser for the lifecycle tests ------------------------------------------

interface Recording {
  handler: ParserHandler;
  log: string[];
  heads: HeadInfo[];
  bodies: Buffer[];
  onComplete: (() => void) | null;
  onHead: (() => void) | null;
}

function recordingHandler(): Recording {
  const rec: Recording = {
    log: [],
    heads: [],
    bodies: [],
    onComplete: null,
    onHead: null,
    handler: {
      onMessageBegin: () => rec.log.push('begin'),
      onUrl: (method, target, minor) => rec.log.push(`url ${method} ${target} 1.${minor}`),
      onHeadersComplete: (info) => {
        rec.heads.push({ ...info, headers: info.headers.slice() });
        rec.log.push('head');
        rec.onHead?.();
      },
      onBody: (view) => {
        rec.bodies.push(view);
        rec.log.push(`body ${view.toString('latin1')}`);
      },
      onTrailers: (t) => rec.log.push(`trailers ${t.join(',')}`),
      onMessageComplete: () => {
        rec.log.push('complete');
        rec.onComplete?.();
      },
    },
  };
  return rec;
}

describe('lifecycle', () => {
  test('pipelined requests in one buffer are parsed in order', () => {
    const input = `${GET}\r\nPOST /a HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabc` +
      `PUT /b HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n`;
    const run = parseEveryWay(input);
    assert.equal(run.outcome, 'accept');
    assert.deepEqual(run.messages.map((m) => [m.method, m.target, m.body.toString(), m.complete]), [
      ['GET', '/', '', true],
      ['POST', '/a', 'abc', true],
      ['PUT', '/b', 'hi', true],
    ]);
  });

  test('pause() in onMessageComplete stops after that message; resume() and execute the rest', () => {
    const first = `${GET}\r\n`;
    const second = `POST /2 HTTP/1.1\r\n${H}Content-Length: 2\r\n\r\nok`;
    const rec = recordingHandler();
    const parser = new RequestParser(rec.handler);
    rec.onComplete = () => parser.pause();
    const input = latin1(first + second);
    const n = parser.execute(input);
    assert.equal(parser.status, ParserStatus.Paused);
    assert.equal(n, first.length);
    assert.deepEqual(rec.log, ['begin', `url GET / 1.1`, 'head', 'complete']);
    assert.equal(parser.execute(input.subarray(n)), 0, 'a paused parser consumes nothing');
    parser.resume();
    assert.equal(parser.status, ParserStatus.Ok);
    const m = parser.execute(input.subarray(n));
    assert.equal(m, second.length);
    assert.equal(parser.status, ParserStatus.Paused, 'paused again after the second message');
    assert.deepEqual(rec.log.slice(4), ['begin', 'url POST /2 1.1', 'head', 'body ok', 'complete']);
  });

  test('pause() in onHeadersComplete stops before the body', () => {
    const head = `POST / HTTP/1.1\r\n${H}Content-Length: 4\r\n\r\n`;
    const rec = recordingHandler();
    const parser = new RequestParser(rec.handler);
    rec.onHead = () => parser.pause();
    const input = latin1(`${head}data`);
    const n = parser.execute(input);
    assert.equal(parser.status, ParserStatus.Paused);
    assert.equal(n, head.length);
    assert.equal(rec.bodies.length, 0);
    rec.onHead = null;
    parser.resume();
    assert.equal(parser.execute(input.subarray(n)), 4);
    assert.deepEqual(rec.log.slice(-2), ['body data', 'complete']);
  });

  test('upgrade: Upgraded after the head, consumed = head length, the rest is the new protocol', () => {
    const head = `GET /chat HTTP/1.1\r\n${H}Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n`;
    const rec = recordingHandler();
    const parser = new RequestParser(rec.handler);
    const input = latin1(`${head}\x81\x05hello`);
    const n = parser.execute(input);
    assert.equal(parser.status, ParserStatus.Upgraded);
    assert.equal(n, head.length);
    assert.equal(rec.heads[0]!.upgrade, true);
    assert.equal(input.subarray(n).toString('latin1'), '\x81\x05hello');
    assert.equal(parser.execute(input.subarray(n)), 0, 'nothing more is parsed');
  });

  test('upgrade with a body: the body is read first, then Upgraded', () => {
    const request = `POST /up HTTP/1.1\r\n${H}Connection: upgrade\r\nUpgrade: h2c\r\nContent-Length: 3\r\n\r\nabc`;
    const run = parseEveryWay(`${request}PRI * HTTP/2.0`);
    assert.equal(run.outcome, 'upgrade');
    assert.equal(run.upgradeOffset, request.length);
    assert.equal(run.messages[0]!.body.toString(), 'abc');
  });

  test('CONNECT upgrades after the head, ignoring Content-Length', () => {
    const head = `CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nContent-Length: 5\r\n\r\n`;
    const run = parseEveryWay(`${head}\x16\x03\x01`);
    assert.equal(run.outcome, 'upgrade');
    assert.equal(run.upgradeOffset, head.length);
    assert.equal(run.messages[0]!.bodyKind, BodyKind.None);
  });

  test('a declined upgrade: resume() keeps parsing HTTP', () => {
    const first = `GET / HTTP/1.1\r\n${H}Connection: upgrade\r\nUpgrade: websocket\r\n\r\n`;
    const rec = recordingHandler();
    const parser = new RequestParser(rec.handler);
    const input = latin1(`${first}${GET}\r\n`);
    const n = parser.execute(input);
    assert.equal(parser.status, ParserStatus.Upgraded);
    parser.resume();
    parser.execute(input.subarray(n));
    assert.equal(parser.status, ParserStatus.Ok);
    assert.equal(rec.log.filter((l) => l === 'complete').length, 2);
  });

  test('no upgrade without both Connection: upgrade and a non-empty Upgrade', () => {
    for (const fields of ['Upgrade: websocket\r\n', 'Connection: upgrade\r\n', 'Connection: upgrade\r\nUpgrade:\r\n']) {
      const run = parseEveryWay(`${GET}${fields}\r\n`);
      assert.equal(run.outcome, 'accept', fields);
      assert.equal(run.messages[0]!.upgrade, false, fields);
    }
  });

  test('body pieces are views of the caller\'s buffer, not copies', () => {
    const rec = recordingHandler();
    const parser = new RequestParser(rec.handler);
    const pool = Buffer.alloc(4096);
    const text = `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello${CHUNKED}3\r\nabc\r\n0\r\n\r\n`;
    const input = pool.subarray(100, 100 + pool.write(text, 100, 'latin1'));
    parser.execute(input);
    assert.equal(rec.bodies.length, 2);
    for (const view of rec.bodies) {
      assert.equal(view.buffer, pool.buffer, 'same ArrayBuffer');
      assert.ok(view.byteOffset >= input.byteOffset && view.byteOffset + view.length <= input.byteOffset + input.length);
    }
    assert.equal(rec.bodies[0]!.toString(), 'hello');
    assert.equal(rec.bodies[1]!.toString(), 'abc');
  });

  test('finish(): clean between messages, INCOMPLETE_MESSAGE inside one', () => {
    const rec = recordingHandler();
    const parser = new RequestParser(rec.handler);
    assert.equal(parser.finish(), null, 'nothing received');
    parser.execute(latin1(`${GET}\r\n`));
    assert.equal(parser.finish(), null, 'after a complete message');
    const truncated = new RequestParser(recordingHandler().handler);
    truncated.execute(latin1(`POST / HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\n12345`));
    const e = truncated.finish();
    assert.equal(e?.code, 'INCOMPLETE_MESSAGE');
    assert.equal(e?.status, 400);
  });

  test('error offsets count every byte since reset(), across execute() calls', () => {
    const parser = new RequestParser(recordingHandler().handler);
    assert.equal(parser.execute(latin1('GET / HT')), 8);
    parser.execute(latin1(`TP/1.1\r\n${H}X: a\x00\r\n\r\n`));
    assert.equal(parser.status, ParserStatus.Error);
    assert.equal(parser.error?.code, 'INVALID_HEADER_VALUE');
    assert.equal(parser.error?.offset, `GET / HTTP/1.1\r\n${H}X: a`.length);
    assert.equal(parser.execute(latin1(GET)), 0, 'nothing is parsed after an error');
    parser.reset();
    assert.equal(parser.status, ParserStatus.Ok);
    parser.execute(latin1(`${GET}Content-Length: x\r\n\r\n`));
    assert.equal(parser.error?.offset, `${GET}Content-Length: `.length, 'offset restarts at reset()');
  });

  test('reset() after a message in progress starts clean', () => {
    const rec = recordingHandler();
    const parser = new RequestParser(rec.handler);
    parser.execute(latin1('POST / HTTP/1.1\r\nHost: x\r\nContent-Le'));
    parser.reset();
    parser.execute(latin1(`${GET}\r\n`));
    assert.equal(parser.status, ParserStatus.Ok);
    assert.equal(rec.heads.length, 1);
    assert.equal(rec.heads[0]!.method, 'GET');
  });
});

describe('head semantics', () => {
  function head(fields: string, line = 'GET / HTTP/1.1'): NonNullable<ParseRun['messages'][number]> {
    const run = parseEveryWay(`${line}\r\n${fields}\r\n`);
    assert.equal(run.error, null, `${JSON.stringify(fields)}: ${run.error?.code}`);
    return run.messages[0]!;
  }

  test('keep-alive: HTTP/1.1 by default, HTTP/1.0 only when asked, close wins', () => {
    assert.equal(head(H).keepAlive, true);
    assert.equal(head(`${H}Connection: close\r\n`).keepAlive, false);
    assert.equal(head(`${H}Connection: Close\t\r\n`).keepAlive, false, 'trailing HTAB is OWS');
    assert.equal(head(`${H}Connection: foo, close\r\n`).keepAlive, false);
    assert.equal(head(`${H}Connection: foo close\r\n`).keepAlive, true, 'not a list of tokens: names nothing');
    assert.equal(head(`${H}Connection: closed\r\n`).keepAlive, true);
    assert.equal(head('', 'GET / HTTP/1.0').keepAlive, false);
    assert.equal(head('Connection: keep-alive\r\n', 'GET / HTTP/1.0').keepAlive, true);
    assert.equal(head('Connection: keep-alive, close\r\n', 'GET / HTTP/1.0').keepAlive, false);
  });

  test('Expect: 100-continue and other expectations', () => {
    assert.equal(head(`${H}Expect: 100-Continue\r\n`).expectContinue, true);
    const other = head(`${H}Expect: something\r\n`);
    assert.equal(other.expectContinue, false);
    assert.equal(other.expectOther, true);
    assert.equal(head('Expect: 100-continue\r\n', 'POST / HTTP/1.0').expectContinue, false, 'HTTP/1.1 only');
  });

  test('body kind and length', () => {
    assert.equal(head(H).bodyKind, BodyKind.None);
    assert.equal(head(`${H}Content-Length: 0\r\n`).bodyKind, BodyKind.None);
    const length = head(`${H}Content-Length: 007\r\n`);
    assert.equal(length.bodyKind, BodyKind.Length);
    assert.equal(length.contentLength, 7);
    assert.equal(head(`${H}Transfer-Encoding: Chunked\r\n`).bodyKind, BodyKind.Chunked);
  });

  test('identical Content-Length values are one value (RFC 9110 §8.6; README, issue #3)', () => {
    assert.equal(head(`${H}Content-Length: 3, 3\r\n`).contentLength, 3);
    assert.equal(head(`${H}Content-Length: 3\r\ncontent-length: 03\r\n`).contentLength, 3);
  });

  test('field values lose surrounding OWS, keep inner whitespace and obs-text bytes', () => {
    const m = head(`${H}A: \t x  y \t\r\nB:\r\nC: caf\xe9\r\n`);
    assert.deepEqual(pairs(m.headers), [['Host', 'x'], ['A', 'x  y'], ['B', ''], ['C', 'caf\xe9']]);
  });

  test('empty lines (CRLF) before a request line are skipped', () => {
    const run = parseEveryWay(`\r\n\r\n${GET}\r\n\r\n${GET}\r\n`);
    assert.equal(run.messages.filter((m) => m.complete).length, 2);
  });

  test('the three allowed target forms', () => {
    assert.equal(head(H, 'OPTIONS * HTTP/1.1').target, '*');
    assert.equal(head(H, 'GET http://example.com:8080/a?b HTTP/1.1').target, 'http://example.com:8080/a?b');
    assert.equal(head(H, 'GET https://user@example.com HTTP/1.1').target, 'https://user@example.com');
    assert.equal(head('Host: example.com:443\r\n', 'CONNECT example.com:443 HTTP/1.1').target, 'example.com:443');
    assert.equal(head(H, 'GET /a/b?c=d&e=|{}"^` HTTP/1.1').target, '/a/b?c=d&e=|{}"^`');
  });

  test('trailers are delivered; Host in a valid head may be empty', () => {
    const run = parseEveryWay(`${CHUNKED}1\r\na\r\n0\r\nX-Checksum: 1\r\nX-Other:  2 \r\n\r\n`);
    assert.deepEqual(pairs(run.messages[0]!.trailers), [['X-Checksum', '1'], ['X-Other', '2']]);
    assert.equal(head('Host:\r\n').complete, true);
  });
});
