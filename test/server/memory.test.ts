// Bodies are streamed both ways with backpressure: a 50 MB chunked upload and a 100 MB download
// to a slow reader each keep the server's RSS growth under 64 MB. The server runs in its own
// process (the CLI with the demo) so that the test client's memory does not count.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { rssBytes, sampleRss, startCli, type BriskProcess } from '../helpers/cli-process.js';
import { deadline } from '../helpers/server.js';

const MB = 1024 * 1024;
const MAX_GROWTH_BYTES = 64 * MB;
const TEST_TIMEOUT = { timeout: 25_000 };

let brisk: BriskProcess;
before(async () => {
  brisk = await startCli(['--log', 'error'], { PORT: '0' });
  // Warm up: let JIT, buffers and the heap settle before measuring a baseline.
  await upload(4 * MB);
  await download(20 * MB, 0);
  await sleep(200);
});
after(async () => {
  await brisk.stop();
});

function open(port: number): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => {}); // surfaced by the once() calls that wait on this socket
  return once(socket, 'connect').then(() => socket);
}

/** Read a whole response into memory (small responses only). */
async function readSmallResponse(socket: Socket): Promise<string> {
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (text += d));
  await once(socket, 'end');
  return text;
}

/** Upload `size` random-looking bytes as a chunked body to /upload, with backpressure. */
async function upload(size: number): Promise<void> {
  const socket = await open(brisk.port);
  try {
    const piece = randomBytes(64 * 1024);
    const hash = createHash('sha256');
    socket.write('POST /upload HTTP/1.1\r\nHost: a\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n');
    const responseText = readSmallResponse(socket);
    for (let sent = 0; sent < size; sent += piece.length) {
      const chunk = piece.subarray(0, Math.min(piece.length, size - sent));
      hash.update(chunk);
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      if (!socket.write('\r\n')) await once(socket, 'drain');
    }
    socket.write('0\r\n\r\n');
    const text = await deadline(responseText, 20_000, 'the upload response');
    assert.match(text, /^HTTP\/1\.1 200 /);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { bodyLength: number; bodySha256: string };
    assert.deepEqual(body, { bodyLength: size, bodySha256: hash.digest('hex') });
  } finally {
    socket.destroy();
  }
}

/**
 * GET /big?bytes=size, reading slowly: after every `pauseEveryBytes` the socket is paused for
 * 10 ms (0 = never). Checks every byte against the pattern as it streams.
 */
async function download(size: number, pauseEveryBytes: number): Promise<void> {
  const socket = await open(brisk.port);
  try {
    socket.write(`GET /big?bytes=${size} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
    let head: Buffer | undefined = Buffer.alloc(0); // undefined once the head is parsed
    let bodyBytes = 0;
    let sincePause = 0;
    let mismatchAt = -1;
    let headText = '';
    socket.on('data', (chunk: Buffer) => {
      if (head !== undefined) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        headText = head.toString('latin1', 0, end);
        chunk = head.subarray(end + 4);
        head = undefined;
      }
      for (let i = 0; i < chunk.length; i++) {
        if (chunk[i] !== (bodyBytes + i) % 251 && mismatchAt < 0) mismatchAt = bodyBytes + i;
      }
      bodyBytes += chunk.length;
      sincePause += chunk.length;
      if (pauseEveryBytes > 0 && sincePause >= pauseEveryBytes) {
        sincePause = 0;
        socket.pause();
        setTimeout(() => socket.resume(), 10);
      }
    });
    await deadline(once(socket, 'end'), 20_000, 'the download to finish');
    assert.match(headText, /^HTTP\/1\.1 200 /);
    assert.match(headText, new RegExp(`\r\ncontent-length: ${size}(\r\n|$)`, 'i'));
    assert.equal(mismatchAt, -1, `byte ${mismatchAt} breaks the pattern`);
    assert.equal(bodyBytes, size);
  } finally {
    socket.destroy();
  }
}

describe('server memory stays flat while streaming', () => {
  it('a 50 MB chunked upload to /upload grows RSS by less than 64 MB', TEST_TIMEOUT, async (t) => {
    const baseline = rssBytes(brisk.pid);
    const sampler = sampleRss(brisk.pid);
    await upload(50 * MB);
    const growth = sampler.stop() - baseline;
    t.diagnostic(`baseline RSS ${(baseline / MB).toFixed(1)} MB, peak growth ${(growth / MB).toFixed(1)} MB`);
    assert.ok(growth < MAX_GROWTH_BYTES, `RSS grew by ${(growth / MB).toFixed(1)} MB`);
  });

  it('a 100 MB download from /big to a slow reader grows RSS by less than 64 MB', TEST_TIMEOUT, async (t) => {
    const baseline = rssBytes(brisk.pid);
    const sampler = sampleRss(brisk.pid);
    await download(100_000_000, 512 * 1024);
    const growth = sampler.stop() - baseline;
    t.diagnostic(`baseline RSS ${(baseline / MB).toFixed(1)} MB, peak growth ${(growth / MB).toFixed(1)} MB`);
    assert.ok(growth < MAX_GROWTH_BYTES, `RSS grew by ${(growth / MB).toFixed(1)} MB`);
  });
});
