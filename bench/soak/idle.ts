// Soak phase (a): many idle keep-alive connections. Each connection sends one `GET /`, reads the
// answer and then sits idle, as a browser's spare connection does. The server's RSS with all of
// them open, minus its RSS just before, divided by their number, is the cost of one idle
// connection. Then they all close; over several cycles the RSS after closing must come back to
// where it was (no leak) and the server's file descriptors must return to their baseline.
import { openIdleConnections } from '../lib/idle-connections.js';
import { mb, MB, sleep, waitUntil, type SoakServer } from './server.js';

export interface IdleCycle {
  cycle: number;
  opened: number;
  failed: number;
  openMs: number;
  rssBeforeBytes: number;
  rssOpenBytes: number;
  rssAfterBytes: number;
  fdsOpen: number;
  fdsAfter: number;
  perConnectionBytes: number;
  /** JS heap in use after a full GC: before opening, with all open, after closing. */
  heapBeforeBytes: number;
  heapOpenBytes: number;
  heapAfterBytes: number;
}

export interface IdleResult {
  connections: number;
  baselineRssBytes: number;
  baselineFds: number;
  cycles: IdleCycle[];
  /** RSS after the last close minus RSS after the first close. */
  driftBytes: number;
  /** Heap in use after GC after the last close minus before the first open. */
  heapDriftBytes: number;
  passed: boolean;
  problems: string[];
}

/** A connection without its answer by then counts as failed. */
const OPEN_TIMEOUT_MS = 15_000;

/** Heap in use after a full GC in the server, per reading (null without an inspector). */
const heapReadings: number[] = [];

/** RSS settles a moment after a burst: full GC first, then the median of a few readings. */
async function settledRss(server: SoakServer): Promise<number> {
  const heap = await server.collectGarbage();
  if (heap !== null) heapReadings.push(heap);
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    await sleep(200);
    readings.push(server.rssBytes());
  }
  return readings.sort((a, b) => a - b)[2] as number;
}

export async function idlePhase(server: SoakServer, connections: number, cycles: number, log: (line: string) => void): Promise<IdleResult> {
  heapReadings.length = 0;
  // Warm-up: JIT, the heap and socket buffers, so cycle 1 is not the first use of anything.
  const warm = await openIdleConnections(server.port, Math.min(1000, connections), { timeoutMs: OPEN_TIMEOUT_MS });
  for (const s of warm.sockets) s.destroy();
  await waitUntil(() => server.openFds() < 40, 10_000);
  await sleep(500);
  const baselineFds = server.openFds();
  const baselineRssBytes = await settledRss(server);
  const result: IdleResult = { connections, baselineRssBytes, baselineFds, cycles: [], driftBytes: 0, heapDriftBytes: 0, passed: true, problems: [] };

  for (let cycle = 1; cycle <= cycles; cycle++) {
    const rssBeforeBytes = await settledRss(server);
    const heapBeforeBytes = heapReadings[heapReadings.length - 1] ?? 0;
    const started = Date.now();
    const { sockets, failed } = await openIdleConnections(server.port, connections, { timeoutMs: OPEN_TIMEOUT_MS });
    const openMs = Date.now() - started;
    const rssOpenBytes = await settledRss(server);
    const heapOpenBytes = heapReadings[heapReadings.length - 1] ?? 0;
    const fdsOpen = server.openFds();
    for (const s of sockets) s.destroy();
    const released = await waitUntil(() => server.openFds() <= baselineFds + 2, 15_000);
    const rssAfterBytes = await settledRss(server);
    const heapAfterBytes = heapReadings[heapReadings.length - 1] ?? 0;
    const fdsAfter = server.openFds();
    const perConnectionBytes = sockets.length > 0 ? (rssOpenBytes - rssBeforeBytes) / sockets.length : 0;
    result.cycles.push({
      cycle, opened: sockets.length, failed, openMs, rssBeforeBytes, rssOpenBytes, rssAfterBytes, fdsOpen, fdsAfter, perConnectionBytes,
      heapBeforeBytes, heapOpenBytes, heapAfterBytes,
    });
    log(
      `  cycle ${cycle}: ${sockets.length} open (${failed} failed) in ${openMs} ms; RSS ${mb(rssBeforeBytes)} → ${mb(rssOpenBytes)} → ${mb(rssAfterBytes)} MB; ` +
        `${(perConnectionBytes / 1024).toFixed(1)} KiB/connection; heap after GC ${mb(heapBeforeBytes)} → ${mb(heapOpenBytes)} → ${mb(heapAfterBytes)} MB; fds ${fdsOpen} → ${fdsAfter}`,
    );
    if (failed > 0) result.problems.push(`cycle ${cycle}: ${failed} connections failed to open`);
    if (!released) result.problems.push(`cycle ${cycle}: server fds stayed at ${fdsAfter} (baseline ${baselineFds})`);
  }
  const first = result.cycles[0];
  const last = result.cycles[result.cycles.length - 1];
  if (first !== undefined && last !== undefined) {
    result.driftBytes = last.rssAfterBytes - first.rssAfterBytes;
    // Allocators keep freed pages; what must not happen is growth cycle over cycle.
    const allowed = Math.max(32 * MB, 0.15 * first.rssAfterBytes);
    if (result.driftBytes > allowed) result.problems.push(`RSS after close grew ${mb(result.driftBytes)} MB over ${cycles} cycles (allowed ${mb(allowed)})`);
    // The precise check: live JS objects after a full GC come back to where they were.
    result.heapDriftBytes = last.heapAfterBytes - first.heapBeforeBytes;
    if (first.heapBeforeBytes > 0 && result.heapDriftBytes > 4 * MB) {
      result.problems.push(`heap after GC grew ${mb(result.heapDriftBytes)} MB over ${cycles} cycles`);
    }
  }
  result.passed = result.problems.length === 0;
  return result;
}
