// Model-based test of one connection (issue 13, "Model-based tests"): fast-check command
// sequences drive a real Session on a FakeTransport — a client sending requests in any split,
// handlers answering at once, later, streaming, throwing or never, writes completing at once,
// partly or not at all, a client FIN or RST at any point, the coarse clock jumping past any
// deadline — and after every step the client's bytes are checked against a small reference
// model: responses in request order, one final response per answered request, no 1xx as a
// final status, no 100 Continue unasked, no body byte parsed as a request, nothing parsed after
// an error or a Connection: close, nothing written after our FIN; at the end, once the client is
// gone, the connection must close, whatever the handlers do, and every unfinished request's
// signal must have fired. Upgrade requests (with and without a body, handed over, handed over to
// a handler that throws, or refused) with bytes pipelined after them: a hand-over gets exactly
// the bytes read past the request and nothing after it is parsed. A deadline that passed ends the
// connection; so does shutdown's timeout. After close or hand-over nothing is held (parser,
// bytes, deadlines). Fixed seed; MODEL_RUNS / MODEL_SEED (env) set the count and seed (npm test:
// 10,000; `npm run fuzz:session`: 200,000 with a new seed, printed on failure).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Connections, type ServerStats } from '../../src/server/connections.js';
import { Reading, Writing } from '../../src/server/conn-state.js';
import { TimeoutKind } from '../../src/server/errors.js';
import { Logger } from '../../src/server/logger.js';
import { resolveServerOptions } from '../../src/server/options.js';
import { RejectSummary } from '../../src/server/reject-summary.js';
import { ResponseState, type Response } from '../../src/server/response.js';
import type { BriskRequest, BriskResponse } from '../../src/server/types.js';
import { FakeTransport } from '../helpers/fake-transport.js';

const RUNS = Number(process.env.MODEL_RUNS ?? 10_000);
const SEED = Number(process.env.MODEL_SEED ?? 1312);

/** A body that is a whole request: if brisk ever parses it as one, the handler sees /smuggled. */
const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';

type Behavior = 'sync' | 'throw' | 'status1xx' | 'later' | 'stream' | 'reject' | 'never' | 'read';
const BEHAVIORS: readonly Behavior[] = ['sync', 'throw', 'status1xx', 'later', 'stream', 'reject', 'never', 'read'];

/** An Upgrade request: accepted by the upgrade handler, accepted and the handler throws, or refused (plain HTTP). */
type UpgradeKind = 'none' | 'accept' | 'throw' | 'refuse';

interface RequestSpec {
  readonly behavior: Behavior;
  readonly upgrade: UpgradeKind;
  readonly body: 'none' | 'length' | 'chunked';
  readonly copies: number;
  readonly expect: boolean;
  readonly close: boolean;
  readonly invalid: boolean;
}

interface PlannedRequest {
  readonly spec: RequestSpec;
  /** Offsets in the client's stream where the request starts and its head ends. */
  readonly start: number;
  readonly headEnd: number;
  readonly end: number;
}

/** A connection handed over to the upgrade handler. */
interface Upgrade {
  readonly k: number;
  /** The bytes brisk had read past the request, handed over with the socket. */
  readonly head: string;
  /** Client bytes sent (to the transport) when it happened. */
  readonly delivered: number;
  /** Client bytes the transport had given brisk when it happened. */
  readonly read: number;
}

/** One handler invocation, as the handler saw it. */
interface Call {
  readonly k: number;
  readonly req: BriskRequest;
  readonly res: BriskResponse;
  /** The whole body the handler answered with, once it finished normally. */
  full: string | null;
  written: string;
  waiter: (() => void) | null;
  settled: boolean;
}

/** What of a Session's private state the deadline and release checks read. */
interface SessionInternals {
  readonly parser: unknown;
  readonly exchange: { readonly requestComplete: boolean; readonly res: Response } | null;
  readonly reading: Reading;
  readonly writing: Writing;
  readonly finHeld: boolean;
  readonly bodyPaused: boolean;
  readonly held: Buffer | null;
  readonly out: { readonly closed: boolean; readonly deadline: number };
  readonly deadline: { readonly kind: TimeoutKind; readonly at: number };
}

/** A FakeTransport that also counts what the owner tries to write after its end() or destroy(). */
class CheckedTransport extends FakeTransport {
  writesAfterEnd = 0;
  override write(data: string | Uint8Array): boolean {
    if (this.ended || this.destroyed || this.closed || this.takenOver) this.writesAfterEnd++;
    return super.write(data);
  }
  override writev(pieces: readonly Uint8Array[]): boolean {
    if (this.ended || this.destroyed || this.closed || this.takenOver) this.writesAfterEnd++;
    return super.writev(pieces);
  }
}

class Real {
  readonly transport = new CheckedTransport({ autoComplete: true, highWaterMark: 256 });
  readonly connections: Connections;
  readonly calls = new Map<number, Call>();
  readonly planned: PlannedRequest[] = [];
  stream = '';
  delivered = 0;
  smuggled = 0;
  finSent = false;
  resetSent = false;
  upgrade: Upgrade | null = null;
  /** Output length and handler calls when the server began shutting down (-1: it has not). */
  shutdownAtByte = -1;
  callsAtShutdown = 0;

  constructor() {
    const options = resolveServerOptions({ logLevel: 'silent' });
    const log = new Logger('silent', 'off', () => {});
    const stats: ServerStats = { connectionsAccepted: 0, connectionsRejected: 0, requests: 0, parseErrors: 0, timeouts: 0, rejectedRequests: 0 };
    this.connections = new Connections(
      { draining: false },
      {
        options,
        handler: (req, res) => this.handle(req, res),
        upgradeHandler: Object.assign((req: BriskRequest, _socket: unknown, head: Buffer) => this.upgraded(req, head), {
          accepts: (req: BriskRequest) => req.query.get('up') !== 'refuse',
        }),
        trustProxy: null,
        log,
        metrics: null,
        stats,
        rejects: new RejectSummary(log),
      },
    );
    // The test owns time: the clock never reads Date.now().
    const clock = this.connections.clock;
    clock.now = 1_000_000;
    clock.refresh = () => clock.now;
    this.connections.openTransport(this.transport, undefined, undefined);
    this.session = [...this.connections.sessions][0] as unknown as SessionInternals;
  }

  readonly session: SessionInternals;

  get gone(): boolean {
    return this.finSent || this.resetSent || this.transport.closed || this.transport.takenOver;
  }

  /** The connection is over for HTTP: closed, or handed over. */
  get over(): boolean {
    return this.transport.closed || this.transport.takenOver;
  }

  private upgraded(req: BriskRequest, head: Buffer): void {
    assert.equal(this.upgrade, null, 'one hand-over per connection');
    const k = Number(req.path.slice(2));
    this.upgrade = { k, head: head.toString('latin1'), delivered: this.delivered, read: this.transport.bytesRead };
    if (req.query.get('up') === 'throw') throw new Error('upgrade handler failure');
  }

  private handle(req: BriskRequest, res: BriskResponse): void | Promise<void> {
    if (req.path === '/smuggled') {
      this.smuggled++;
      res.end();
      return;
    }
    const k = Number(req.path.slice(2));
    const behavior = req.query.get('do') as Behavior;
    const call: Call = { k, req, res, full: null, written: '', waiter: null, settled: false };
    this.calls.set(k, call);
    const wait = () => new Promise<void>((resolve) => (call.waiter = resolve));
    const body = `r${k}`;
    const finish = (text: string) => {
      res.end(text);
      call.written += text;
      call.full = call.written;
    };
    switch (behavior) {
      case 'sync':
        res.setHeader('X-Id', String(k));
        return finish(body);
      case 'throw':
        throw new Error('boom');
      case 'status1xx':
        res.status = 103;
        res.end('never a final 103');
        return;
      case 'later':
        return wait().then(() => {
          res.setHeader('X-Id', String(k));
          finish(body);
        });
      case 'stream':
        return (async () => {
          res.setHeader('X-Id', String(k));
          res.write(body);
          call.written += body;
          for (let step = 0; ; step++) {
            await wait();
            // The demo's way: a producer that sees the abort stops and ends.
            if (req.signal.aborted) return res.end();
            if (step === 2) return finish('END');
            res.write('.');
            call.written += '.';
          }
        })();
      case 'reject':
        return wait().then(() => {
          throw new Error('late failure');
        });
      case 'never':
        return new Promise<void>(() => {});
      case 'read':
        return (async () => {
          let length = 0;
          for await (const chunk of req.body) length += chunk.length;
          res.setHeader('X-Id', String(k));
          finish(`${body}:${length}`);
        })();
    }
  }
}

function requestBytes(k: number, spec: RequestSpec): { bytes: string; headLength: number } {
  if (spec.invalid) {
    const bytes = `GET /r${k}?do=sync HTTP/1.1\r\nHost: a\r\nNo colon here\r\n\r\n`;
    return { bytes, headLength: bytes.length };
  }
  const body = spec.body === 'none' ? '' : SMUGGLED.repeat(spec.copies);
  const up = spec.upgrade === 'none' ? '' : `&up=${spec.upgrade}`;
  let head = `${spec.body === 'none' ? 'GET' : 'POST'} /r${k}?do=${spec.behavior}${up} HTTP/1.1\r\nHost: a\r\n`;
  if (spec.upgrade !== 'none') head += `Connection: upgrade${spec.close ? ', close' : ''}\r\nUpgrade: model\r\n`;
  else if (spec.close) head += 'Connection: close\r\n';
  if (spec.expect && spec.body !== 'none') head += 'Expect: 100-continue\r\n';
  if (spec.body === 'length') head += `Content-Length: ${body.length}\r\n`;
  if (spec.body === 'chunked') head += 'Transfer-Encoding: chunked\r\n';
  head += '\r\n';
  let framed = body;
  if (spec.body === 'chunked') {
    const half = Math.floor(body.length / 2);
    framed = `${half.toString(16)}\r\n${body.slice(0, half)}\r\n${(body.length - half).toString(16)}\r\n${body.slice(half)}\r\n0\r\n\r\n`;
  }
  return { bytes: head + framed, headLength: head.length };
}

// --- the client's reading of what was written ---

interface ParsedResponse {
  /** Offset of its status line in the output. */
  readonly start: number;
  readonly status: number;
  readonly headers: Map<string, string>;
  readonly body: string;
  readonly complete: boolean;
  /** Interim responses (1xx) before it. */
  readonly interim: number[];
}

function parseResponses(text: string, closed: boolean): { responses: ParsedResponse[]; trailing: string } {
  const responses: ParsedResponse[] = [];
  let pos = 0;
  let interim: number[] = [];
  for (;;) {
    if (pos >= text.length) return { responses, trailing: '' };
    const end = text.indexOf('\r\n\r\n', pos);
    if (end < 0) return { responses, trailing: text.slice(pos) };
    const start = pos;
    const lines = text.slice(pos, end).split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3}) [^\r\n]*$/.exec(lines[0]!);
    assert.ok(m, `a status line, got ${JSON.stringify(lines[0])} in ${JSON.stringify(text)}`);
    const status = Number(m[1]);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      assert.ok(colon > 0, `a field line, got ${JSON.stringify(line)}`);
      headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    pos = end + 4;
    if (status < 200) {
      assert.equal(headers.size, 0, 'a 100 Continue has no fields');
      interim.push(status);
      continue;
    }
    const te = headers.get('transfer-encoding');
    const cl = headers.get('content-length');
    if (te !== undefined) {
      assert.equal(te, 'chunked');
      assert.equal(cl, undefined, 'never both Content-Length and Transfer-Encoding');
      let body = '';
      for (;;) {
        const lineEnd = text.indexOf('\r\n', pos);
        if (lineEnd < 0) return { responses: [...responses, { start, status, headers, body, complete: false, interim }], trailing: '' };
        const size = parseInt(text.slice(pos, lineEnd), 16);
        assert.ok(Number.isInteger(size) && size >= 0, `a chunk size, got ${JSON.stringify(text.slice(pos, lineEnd))}`);
        if (size === 0) {
          if (text.length < lineEnd + 4) return { responses: [...responses, { start, status, headers, body, complete: false, interim }], trailing: '' };
          assert.equal(text.slice(lineEnd + 2, lineEnd + 4), '\r\n', 'no trailers');
          pos = lineEnd + 4;
          break;
        }
        if (text.length < lineEnd + 2 + size + 2) {
          body += text.slice(lineEnd + 2, Math.min(text.length, lineEnd + 2 + size));
          return { responses: [...responses, { start, status, headers, body, complete: false, interim }], trailing: '' };
        }
        body += text.slice(lineEnd + 2, lineEnd + 2 + size);
        assert.equal(text.slice(lineEnd + 2 + size, lineEnd + 4 + size), '\r\n');
        pos = lineEnd + 4 + size;
      }
      responses.push({ start, status, headers, body, complete: true, interim });
    } else if (cl !== undefined) {
      const length = Number(cl);
      if (text.length < pos + length) {
        return { responses: [...responses, { start, status, headers, body: text.slice(pos), complete: false, interim }], trailing: '' };
      }
      responses.push({ start, status, headers, body: text.slice(pos, pos + length), complete: true, interim });
      pos += length;
    } else {
      // Close-delimited: only with Connection: close, complete once the connection closed.
      assert.equal(headers.get('connection'), 'close', 'a body without length is close-delimited');
      responses.push({ start, status, headers, body: text.slice(pos), complete: closed, interim });
      return { responses, trailing: '' };
    }
    interim = [];
  }
}

const SERVER_ANSWERS = new Set([400, 408, 413, 417, 500, 501]);

/** Every invariant of the connection, as the client and the handlers see it now. */
function check(real: Real): void {
  const t = real.transport;
  assert.equal(real.smuggled, 0, 'a body byte was parsed as a request');
  assert.equal(t.writesAfterEnd, 0, 'a write after our FIN or destroy');
  const { responses } = parseResponses(t.text(), t.closed);
  let started = 0;
  for (const p of real.planned) if (p.start < real.delivered) started++;
  // The server may answer a request whose head is cut short (400 at the FIN, 408): started ones.
  // And a 408 when no request came within the headers timeout (the connection's first or next).
  const last = responses[responses.length - 1];
  const unasked = last !== undefined && last.status === 408 && !last.headers.has('x-id') ? 1 : 0;
  assert.ok(responses.length <= started + unasked, `${responses.length} responses for ${started} requests`);
  const firstInvalid = real.planned.findIndex((p) => p.spec.invalid) + 1;
  for (let i = 0; i < responses.length; i++) {
    const r = responses[i]!;
    const k = i + 1;
    const spec = real.planned[i]?.spec;
    assert.ok(r.status >= 200 && r.status <= 599, `final status ${r.status}`);
    for (const s of r.interim) {
      assert.equal(s, 100, 'the only interim response here is 100 Continue');
      assert.ok(spec !== undefined && spec.expect && spec.body !== 'none', `100 Continue for request ${k}, which did not ask`);
    }
    assert.ok(r.interim.length <= 1, 'one 100 Continue at most');
    const id = r.headers.get('x-id');
    if (id === undefined) {
      assert.ok(SERVER_ANSWERS.has(r.status), `response ${k}: status ${r.status} without the handler's X-Id`);
    } else {
      assert.equal(id, String(k), 'responses in request order, one each');
      assert.ok(real.planned[i]!.headEnd <= real.delivered, `a handler's answer to request ${k} before its head arrived`);
      const call = real.calls.get(k);
      assert.ok(call, `a response for request ${k} whose handler never ran`);
      // A body cut short is never framed as complete (issue 12, defect 15).
      if (r.complete) assert.equal(r.body, call.full, `response ${k} framed as complete with the body ${JSON.stringify(r.body)}`);
    }
    if (r.complete && r.headers.get('connection') === 'close') {
      assert.equal(i, responses.length - 1, 'nothing after a Connection: close response');
      for (const c of real.calls.keys()) assert.ok(c <= k, `request ${c} parsed after Connection: close`);
    }
    if (!r.complete) assert.equal(i, responses.length - 1);
  }
  if (firstInvalid > 0) {
    for (const c of real.calls.keys()) assert.ok(c < firstInvalid, `request ${c} parsed after a bad request`);
  }
  if (real.shutdownAtByte >= 0) {
    // Shutdown: the request in flight (or its head being read) is answered; nothing new starts,
    // and every response begun since says Connection: close.
    assert.ok(real.calls.size <= real.callsAtShutdown + 1, 'requests handled after shutdown began');
    for (const r of responses) {
      if (r.start >= real.shutdownAtByte) assert.equal(r.headers.get('connection'), 'close', 'a response during shutdown keeps the connection');
    }
  }
  if (real.over) assert.equal(real.connections.sessions.size, 0, 'a closed or handed-over connection is released');
  checkUpgrade(real, responses.length);
  checkDeadline(real);
}

/** A hand-over: only of a whole Upgrade request, with exactly the bytes after it, and nothing parsed past it. */
function checkUpgrade(real: Real, responses: number): void {
  const up = real.upgrade;
  const t = real.transport;
  if (up === null) {
    assert.ok(!t.takenOver, 'handed over without the upgrade handler');
    return;
  }
  assert.ok(t.takenOver, 'the upgrade handler ran, yet the transport was not handed over');
  const planned = real.planned[up.k - 1];
  assert.ok(planned !== undefined && planned.spec.upgrade !== 'none' && planned.spec.upgrade !== 'refuse' && !planned.spec.invalid, `request ${up.k} handed over`);
  assert.ok(planned.end <= up.delivered, `request ${up.k} handed over before its last byte arrived`);
  assert.equal(up.head, real.stream.slice(planned.end, planned.end + up.head.length), 'the bytes handed over are those after the request');
  assert.equal(planned.end + up.head.length, up.read, 'every byte brisk read past the request is handed over');
  assert.ok(!real.calls.has(up.k), 'the handler ran for a request that was handed over');
  for (const c of real.calls.keys()) assert.ok(c < up.k, `request ${c}, after the upgrade, parsed as HTTP`);
  assert.ok(responses <= up.k - 1, 'an HTTP response to the upgraded request or after it');
}

/** The deadline that runs is the one the connection's state calls for. */
function checkDeadline(real: Real): void {
  const session = real.session;
  const d = session.deadline;
  if (real.over) {
    assert.equal(session.parser, null, 'a closed connection holds no parser');
    assert.equal(session.held, null, 'a closed connection holds no bytes');
    assert.equal(d.at, 0, 'a closed connection runs no deadline');
    assert.equal(session.out.deadline, 0, 'a closed connection runs no write deadline');
    return;
  }
  if (session.writing === Writing.Closed) return; // closing: onClose comes on a microtask
  if (session.out.closed) {
    assert.ok(d.kind === TimeoutKind.Write && d.at > 0, 'our FIN is out: the linger / flush is bounded');
    return;
  }
  const exchange = session.exchange;
  if (exchange === null) {
    assert.ok(d.at > 0 && (d.kind === TimeoutKind.KeepAlive || d.kind === TimeoutKind.Headers), `between requests: kind ${d.kind}, at ${d.at}`);
    return;
  }
  const clientEnded = real.transport.clientEnded; // the FIN reached brisk
  if (!exchange.requestComplete) {
    // Body bytes owed: the body deadline runs while the client is to blame, not while the handler
    // holds the body back; once the client left, the handler's time is bounded.
    if (clientEnded) assert.ok(d.kind === TimeoutKind.AbortGrace && d.at > 0, 'the client left mid-body: bounded');
    else if (session.bodyPaused) assert.equal(d.at, 0, 'a body deadline while the handler holds the body back');
    else assert.ok(d.kind === TimeoutKind.Body && d.at > 0, `body owed: kind ${d.kind}, at ${d.at}`);
    return;
  }
  if (exchange.res.state !== ResponseState.Finished) {
    if (clientEnded) assert.ok(d.kind === TimeoutKind.AbortGrace && d.at > 0, 'the client left: the handler has a bounded time');
    else assert.equal(d.at, 0, 'no read deadline while the handler has the whole request');
  }
}

// --- commands ---

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

type Cmd = fc.AsyncCommand<object, Real>;

class Queue implements Cmd {
  constructor(readonly spec: RequestSpec) {}
  check(): boolean {
    return true;
  }
  async run(_m: object, real: Real): Promise<void> {
    if (real.finSent || real.resetSent || real.planned.length >= 8) return;
    const k = real.planned.length + 1;
    const { bytes, headLength } = requestBytes(k, this.spec);
    real.planned.push({ spec: this.spec, start: real.stream.length, headEnd: real.stream.length + headLength, end: real.stream.length + bytes.length });
    real.stream += bytes;
  }
  toString(): string {
    return `queue(${JSON.stringify(this.spec)})`;
  }
}

/** A request queued and everything planned so far sent, in the split given. */
class Send implements Cmd {
  constructor(readonly spec: RequestSpec, readonly splits: number[]) {}
  check(): boolean {
    return true;
  }
  async run(m: object, real: Real): Promise<void> {
    await new Queue(this.spec).run(m, real);
    await new Deliver(Infinity, this.splits).run(m, real);
  }
  toString(): string {
    return `send(${JSON.stringify(this.spec)}, [${this.splits}])`;
  }
}

class Deliver implements Cmd {
  constructor(readonly n: number, readonly splits: number[]) {}
  check(): boolean {
    return true;
  }
  async run(_m: object, real: Real): Promise<void> {
    if (real.gone || real.delivered >= real.stream.length) return;
    const bytes = real.stream.slice(real.delivered, real.delivered + this.n);
    real.delivered += bytes.length;
    real.transport.receive(bytes, this.splits.map((s) => s % Math.max(1, bytes.length)));
    await settle();
    check(real);
  }
  toString(): string {
    return `deliver(${this.n}, [${this.splits}])`;
  }
}

class Step implements Cmd {
  constructor(readonly which: number) {}
  check(): boolean {
    return true;
  }
  async run(_m: object, real: Real): Promise<void> {
    const waiting = [...real.calls.values()].filter((c) => c.waiter !== null);
    if (waiting.length === 0) return;
    const call = waiting[this.which % waiting.length]!;
    const waiter = call.waiter!;
    call.waiter = null;
    waiter();
    await settle();
    check(real);
  }
  toString(): string {
    return `step(${this.which})`;
  }
}

class ClientReads implements Cmd {
  constructor(readonly on: boolean, readonly bytes: number) {}
  check(): boolean {
    return true;
  }
  async run(_m: object, real: Real): Promise<void> {
    real.transport.autoComplete = this.on;
    real.transport.completeWrites(this.on ? Infinity : this.bytes);
    await settle();
    check(real);
  }
  toString(): string {
    return `reading(${this.on}, ${this.bytes})`;
  }
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  async run(_m: object, real: Real): Promise<void> {
    const clock = real.connections.clock;
    const d = real.session.deadline;
    const readAt = d.at;
    const writeAt = real.session.out.deadline;
    clock.now += this.ms;
    real.connections.sweep(clock.now);
    await settle();
    check(real);
    // A deadline that passed ends the connection (408 and close, close, or destroy), whatever the handler does.
    const passed = (readAt !== 0 && clock.now >= readAt) || (writeAt !== 0 && clock.now >= writeAt);
    if (passed) assert.ok(real.session.out.closed || real.over, `a deadline (kind ${d.kind}) passed and the connection goes on`);
  }
  toString(): string {
    return `advance(${this.ms})`;
  }
}

class Fin implements Cmd {
  check(): boolean {
    return true;
  }
  async run(_m: object, real: Real): Promise<void> {
    if (real.gone) return;
    real.finSent = true;
    real.transport.clientEnd();
    await settle();
    check(real);
  }
  toString(): string {
    return 'fin';
  }
}

class Reset implements Cmd {
  check(): boolean {
    return true;
  }
  async run(_m: object, real: Real): Promise<void> {
    if (real.transport.closed) return;
    real.resetSent = true;
    real.transport.clientReset();
    await settle();
    check(real);
  }
  toString(): string {
    return 'reset';
  }
}

const specArb: fc.Arbitrary<RequestSpec> = fc.record({
  // Answering behaviours more often than the ones that end or block the connection.
  behavior: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<Behavior>('sync', 'later', 'stream', 'read') },
    { weight: 3, arbitrary: fc.constantFrom<Behavior>(...BEHAVIORS) },
  ),
  upgrade: fc.integer({ min: 0, max: 15 }).map((n): UpgradeKind => (n === 0 ? 'accept' : n === 1 ? 'throw' : n === 2 ? 'refuse' : 'none')),
  body: fc.constantFrom('none' as const, 'none' as const, 'length' as const, 'chunked' as const),
  copies: fc.integer({ min: 1, max: 3 }),
  expect: fc.boolean(),
  close: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  invalid: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

/** Server.close(), as it treats each connection: close after the current response, idle ones now. */
class Shutdown implements Cmd {
  check(): boolean {
    return true;
  }
  async run(_m: object, real: Real): Promise<void> {
    if (real.shutdownAtByte >= 0) return;
    // Bytes already written, complete or still queued, were sent before shutdown began.
    real.shutdownAtByte = real.transport.writes.reduce((n, w) => n + w.length, 0);
    real.callsAtShutdown = real.calls.size;
    for (const session of real.connections.sessions) {
      session.shutdownRequested = true;
      if (!session.isBusy) session.closeGracefully();
    }
    await settle();
    check(real);
  }
  toString(): string {
    return 'shutdown';
  }
}

/** Server.close()'s timeout passed: whatever is left is destroyed, and closes. */
class ShutdownTimeout implements Cmd {
  check(): boolean {
    return true;
  }
  async run(_m: object, real: Real): Promise<void> {
    if (real.shutdownAtByte < 0) return;
    for (const session of real.connections.sessions) session.destroy();
    await settle();
    check(real);
    assert.ok(real.over, 'shutdown timed out, yet the connection is open');
  }
  toString(): string {
    return 'shutdown-timeout';
  }
}

const splitsArb = fc.array(fc.nat(400), { maxLength: 3 });
const sendArb = fc.tuple(specArb, splitsArb).map(([spec, splits]) => new Send(spec, splits));
const deliverArb = fc.tuple(fc.integer({ min: 1, max: 200 }), splitsArb).map(([n, s]) => new Deliver(n, s));
const stepArb = fc.nat(7).map((w) => new Step(w));
// Weighted by repetition: requests and handler steps often; time, FIN and RST now and then.
const commandArbs = [
  sendArb, sendArb, sendArb,
  specArb.map((s) => new Queue(s)),
  deliverArb, deliverArb,
  stepArb, stepArb, stepArb,
  fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 300 })).map(([on, b]) => new ClientReads(on, b)),
  fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 300 })).map(([on, b]) => new ClientReads(on, b)),
  fc.constantFrom(200, 200, 1_500, 3_000, 11_000, 31_000, 70_000).map((ms) => new Advance(ms)),
  fc.integer({ min: 0, max: 10 }).map((n) => (n === 0 ? new Reset() : n <= 2 ? new Fin() : n === 3 ? new Shutdown() : n === 4 ? new ShutdownTimeout() : new Step(n))),
];

/** The client is gone: whatever the handlers do, the connection closes and releases its requests. */
async function finale(real: Real): Promise<void> {
  const t = real.transport;
  if (!real.over && !real.resetSent && !real.finSent) {
    real.finSent = true;
    t.clientEnd();
    await settle();
    check(real);
  }
  for (let i = 0; i < 12 && !real.over; i++) {
    const clock = real.connections.clock;
    clock.now += 10_000;
    real.connections.sweep(clock.now);
    await settle();
    check(real);
  }
  assert.ok(real.over, 'the client is gone and deadlines passed, yet the connection is open');
  assert.equal(real.connections.sessions.size, 0);
  for (const call of real.calls.values()) {
    const finished = (call.res as Response).state === ResponseState.Finished;
    if (!finished) assert.ok(call.req.signal.aborted, `request ${call.k}: unfinished, and its signal never fired`);
  }
  check(real);
}

test(`Session on a FakeTransport: ${RUNS} random command sequences against the reference model (seed ${SEED})`, { timeout: Math.max(120_000, RUNS * 10) }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.commands(commandArbs, { maxCommands: 30, size: 'max' }), async (cmds) => {
      const real = new Real();
      try {
        await fc.asyncModelRun(() => ({ model: {}, real }), cmds);
        await finale(real);
        if (process.env.MODEL_STATS) {
          const st = ((globalThis as any).__st ??= { seq: 0, calls: 0, responses: 0, complete: 0, statuses: {} as Record<number, number>, beh: {} as Record<string, number>, cmds: 0 });
          st.seq++; st.calls += real.calls.size; st.cmds += [...cmds].length;
          if (real.upgrade !== null) { st.upgrades = (st.upgrades ?? 0) + 1; if (real.upgrade.head.length > 0) st.upgradeHead = (st.upgradeHead ?? 0) + 1; if (real.planned[real.upgrade.k - 1]!.spec.body !== 'none') st.upgradeBody = (st.upgradeBody ?? 0) + 1; }
          if (real.planned.some((p) => p.spec.upgrade === 'refuse') && real.calls.size > 0) st.refused = (st.refused ?? 0) + 1;
          for (const r of parseResponses(real.transport.text(), true).responses) { st.responses++; if (r.complete) st.complete++; st.statuses[r.status] = (st.statuses[r.status] ?? 0) + 1; }
          for (const c of real.calls.values()) st.beh[c.req.query.get('do')!] = (st.beh[c.req.query.get('do')!] ?? 0) + 1;
          if (st.seq % 10000 === 0) console.error(JSON.stringify(st));
        }
      } catch (error) {
        if (process.env.MODEL_DEBUG) console.error(String(cmds), error, JSON.stringify(real.transport.text()));
        throw error;
      }
    }),
    { seed: SEED, numRuns: RUNS, verbose: 1 },
  );
});
