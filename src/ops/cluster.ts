// Multi-core brisk with node:cluster. The primary never loads the app: it forks workers (each runs
// the CLI, which sees cluster.isWorker), keeps their number up and conducts shutdowns; the kernel
// socket is shared by the primary and connections handed out round-robin.
//
//   crash      a worker that exits unasked is forked again after a backoff that doubles per
//              crash (capped) and resets once a worker has stayed up for `stableMs`
//   SIGTERM    every worker drains (Server.close) and exits; the primary exits when all have
//   SIGINT     same (a second signal kills the workers and exits at once)
//   SIGHUP     rolling restart: for each worker, fork a new one, wait until it listens, then
//              drain the old one: fresh code, no moment without a listening worker
//
// Messages (process.send): primary → worker {brisk: 'shutdown'}, {brisk: 'metrics-collect', id};
// worker → primary {brisk: 'metrics-request', id}, {brisk: 'metrics-reply', id, snapshot};
// primary → worker {brisk: 'metrics-result', id, snapshots}.
import cluster, { type Worker } from 'node:cluster';
import { mergeSnapshots, type MetricsSnapshot } from './metrics.js';
import type { Server } from '../server/server.js';

/** Exit status of a worker that found a usage error (bad flags or app module): not worth restarting. */
export const EXIT_USAGE = 2;

export interface BackoffOptions {
  /** First restart delay. */
  readonly initialMs: number;
  /** Longest restart delay. */
  readonly maxMs: number;
  /** A worker up this long resets the delay to initialMs. */
  readonly stableMs: number;
}

/** 100 ms, doubling to 30 s; reset after 10 s up. Arbitrary, in line with what supervisors (systemd, pm2) use. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 30_000, stableMs: 10_000 };

export interface PrimaryOptions {
  readonly workers: number;
  /** Grace a draining worker gets before it is killed (its own shutdown timeout plus margins). */
  readonly workerStopMs: number;
  /** Longest wait for a new worker to listen during a rolling restart. */
  readonly startTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  /** Called once, when the first set of workers listens. */
  onListening(address: { host: string; port: number }, workers: number): void;
  log(line: string): void;
}

interface Slot {
  readonly index: number;
  worker: Worker | null;
  startedAt: number;
  restartDelayMs: number;
  restartTimer: NodeJS.Timeout | null;
}

type WorkerMessage =
  | { brisk: 'metrics-request'; id: number }
  | { brisk: 'metrics-reply'; id: number; snapshot: MetricsSnapshot | null };

interface MetricsRequest {
  readonly from: Worker;
  /** The id the asking worker used. */
  readonly requestId: number;
  readonly waiting: Set<Worker>;
  readonly snapshots: MetricsSnapshot[];
  readonly timer: NodeJS.Timeout;
}

const isBriskMessage = (m: unknown): m is WorkerMessage => typeof m === 'object' && m !== null && 'brisk' in m;

/** Send over IPC; a worker that is already going away is not an error worth crashing the primary for. */
function sendTo(worker: Worker, message: object): boolean {
  if (worker.isDead() || !worker.isConnected()) return false;
  worker.send(message, undefined, undefined, () => {});
  return true;
}

/** Run the primary until every worker has exited after SIGTERM/SIGINT (then the process exits). */
export function runPrimary(options: PrimaryOptions): void {
  new Primary(options).start();
}

class Primary {
  private readonly slots: Slot[] = [];
  private readonly backoff: BackoffOptions;
  /** Workers told to drain (rolling restart or shutdown): their exit is expected. */
  private readonly retiring = new Set<Worker>();
  private readonly listening = new Set<Worker>();
  private announced = false;
  private stopping = false;
  private reloading = false;
  private reloadQueued = false;
  private exitCode = 0;
  private nextMetricsId = 1;
  private readonly metricsRequests = new Map<number, MetricsRequest>();

  constructor(private readonly options: PrimaryOptions) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  start(): void {
    cluster.on('listening', (worker, address) => this.onListening(worker, address));
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
    cluster.on('message', (worker, message) => this.onMessage(worker, message));
    process.on('SIGTERM', () => this.stop('SIGTERM'));
    process.on('SIGINT', () => this.stop('SIGINT'));
    process.on('SIGHUP', () => void this.reload());
    for (let index = 0; index < this.options.workers; index++) {
      const slot: Slot = { index, worker: null, startedAt: 0, restartDelayMs: this.backoff.initialMs, restartTimer: null };
      this.slots.push(slot);
      this.fork(slot);
    }
  }

  private fork(slot: Slot): Worker {
    const worker = cluster.fork({ BRISK_WORKER_INDEX: String(slot.index) });
    slot.worker = worker;
    slot.startedAt = Date.now();
    slot.restartTimer = null;
    return worker;
  }

  private describe(worker: Worker): string {
    return `worker ${worker.id} (pid ${worker.process.pid})`;
  }

  private onListening(worker: Worker, address: { address: string; port: number }): void {
    this.listening.add(worker);
    this.options.log(`${this.describe(worker)} listening`);
    if (!this.announced && this.slots.every((s) => s.worker !== null && this.listening.has(s.worker))) {
      this.announced = true;
      this.options.onListening({ host: address.address ?? '', port: address.port }, this.slots.length);
    }
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    const wasListening = this.listening.delete(worker);
    this.dropFromMetricsRequests(worker);
    if (this.retiring.delete(worker)) {
      this.options.log(`${this.describe(worker)} exited after draining`);
      if (this.stopping) this.exitWhenDone();
      return;
    }
    const slot = this.slots.find((s) => s.worker === worker);
    if (slot === undefined) return; // a new worker of a rolling restart that failed; already handled
    slot.worker = null;
    const how = signal !== null ? `signal ${signal}` : `code ${code}`;
    if (this.stopping) {
      this.options.log(`${this.describe(worker)} exited (${how})`);
      return this.exitWhenDone();
    }
    if (code === EXIT_USAGE && !wasListening) {
      this.options.log(`${this.describe(worker)} exited with a usage error; stopping`);
      this.stop('SIGTERM', EXIT_USAGE);
      return;
    }
    const upMs = Date.now() - slot.startedAt;
    if (upMs >= this.backoff.stableMs) slot.restartDelayMs = this.backoff.initialMs;
    const delay = slot.restartDelayMs;
    slot.restartDelayMs = Math.min(this.backoff.maxMs, delay * 2);
    this.options.log(`${this.describe(worker)} died (${how}) after ${upMs} ms; restarting in ${delay} ms`);
    slot.restartTimer = setTimeout(() => {
      if (!this.stopping) this.fork(slot);
    }, delay);
  }

  // --- shutdown ---

  private stop(signal: string, exitCode = 0): void {
    if (this.stopping) {
      if (signal === 'SIGTERM' && exitCode !== 0) return;
      this.options.log(`second ${signal}: killing workers`);
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }
    this.stopping = true;
    this.exitCode = exitCode;
    this.options.log(`${signal}: draining ${this.liveWorkers().length} workers`);
    for (const slot of this.slots) {
      if (slot.restartTimer !== null) clearTimeout(slot.restartTimer);
      slot.restartTimer = null;
    }
    for (const worker of this.liveWorkers()) this.retire(worker);
    this.exitWhenDone();
  }

  private liveWorkers(): Worker[] {
    return Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
  }

  private exitWhenDone(): void {
    if (this.liveWorkers().length === 0) process.exit(this.exitCode);
  }

  /** Ask a worker to drain and exit; kill it if it has not after workerStopMs. */
  private retire(worker: Worker): Promise<void> {
    this.retiring.add(worker);
    return new Promise((resolve) => {
      if (worker.isDead()) return resolve();
      const timer = setTimeout(() => {
        this.options.log(`${this.describe(worker)} did not exit within ${this.options.workerStopMs} ms; killing it`);
        worker.process.kill('SIGKILL');
      }, this.options.workerStopMs);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (!sendTo(worker, { brisk: 'shutdown' })) worker.process.kill('SIGTERM');
    });
  }

  // --- rolling restart ---

  private async reload(): Promise<void> {
    if (this.stopping) return;
    if (this.reloading) {
      this.reloadQueued = true;
      return;
    }
    this.reloading = true;
    this.options.log('SIGHUP: rolling restart');
    let ok = true;
    for (const slot of this.slots) {
      if (this.stopping) break;
      const fresh = cluster.fork({ BRISK_WORKER_INDEX: String(slot.index) });
      const started = await this.waitListening(fresh);
      if (this.stopping) break;
      if (!started) {
        this.options.log(`rolling restart aborted: ${this.describe(fresh)} did not start listening; the old workers keep serving`);
        if (!fresh.isDead()) fresh.process.kill('SIGKILL');
        ok = false;
        break;
      }
      if (slot.restartTimer !== null) clearTimeout(slot.restartTimer);
      // Whoever holds the slot now (the old worker, or one that replaced it after a crash meanwhile).
      const previous = slot.worker;
      slot.worker = fresh;
      slot.startedAt = Date.now();
      slot.restartDelayMs = this.backoff.initialMs;
      slot.restartTimer = null;
      if (previous !== null && !previous.isDead()) await this.retire(previous);
    }
    this.reloading = false;
    if (ok && !this.stopping) this.options.log('rolling restart done');
    if (this.reloadQueued && !this.stopping) {
      this.reloadQueued = false;
      await this.reload();
    }
  }

  private waitListening(worker: Worker): Promise<boolean> {
    return new Promise((resolve) => {
      const timeoutMs = this.options.startTimeoutMs ?? 30_000;
      const done = (started: boolean): void => {
        clearTimeout(timer);
        worker.off('listening', onListening);
        worker.off('exit', onExit);
        resolve(started);
      };
      const onListening = (): void => done(true);
      const onExit = (): void => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      worker.on('listening', onListening);
      worker.on('exit', onExit);
    });
  }

  // --- metrics across workers ---

  private onMessage(worker: Worker, message: unknown): void {
    if (!isBriskMessage(message)) return;
    if (message.brisk === 'metrics-request') {
      const id = this.nextMetricsId++;
      const others = [...this.listening].filter((w) => w !== worker && !w.isDead());
      // Arbitrary: a worker busy for a second is reported without its counts rather than stall the scrape.
      const timer = setTimeout(() => this.finishMetrics(id), 1000);
      timer.unref();
      this.metricsRequests.set(id, { from: worker, requestId: message.id, waiting: new Set(others), snapshots: [], timer });
      for (const other of others) if (!sendTo(other, { brisk: 'metrics-collect', id })) this.metricsRequests.get(id)?.waiting.delete(other);
      if (this.metricsRequests.get(id)?.waiting.size === 0) this.finishMetrics(id);
    } else if (message.brisk === 'metrics-reply') {
      const request = this.metricsRequests.get(message.id);
      if (request === undefined) return;
      if (message.snapshot !== null) request.snapshots.push(message.snapshot);
      request.waiting.delete(worker);
      if (request.waiting.size === 0) this.finishMetrics(message.id);
    }
  }

  private dropFromMetricsRequests(worker: Worker): void {
    for (const [id, request] of this.metricsRequests) {
      if (request.waiting.delete(worker) && request.waiting.size === 0) this.finishMetrics(id);
    }
  }

  private finishMetrics(id: number): void {
    const request = this.metricsRequests.get(id);
    if (request === undefined) return;
    this.metricsRequests.delete(id);
    clearTimeout(request.timer);
    sendTo(request.from, { brisk: 'metrics-result', id: request.requestId, snapshots: request.snapshots });
  }
}

// --- the worker's side ---

export interface WorkerHooks {
  /** Drain and exit (the same path as SIGTERM in a single process). */
  shutdown(): void;
}

/**
 * Wire a worker's server to the primary: shutdown requests, and metrics that cover every worker
 * (the worker answering a scrape asks the primary to collect the others' snapshots).
 */
export function attachWorker(server: Server, hooks: WorkerHooks): void {
  let nextId = 1;
  const pending = new Map<number, (snapshots: MetricsSnapshot[]) => void>();
  process.on('message', (message: unknown) => {
    if (typeof message !== 'object' || message === null || !('brisk' in message)) return;
    const m = message as { brisk: string; id?: number; snapshots?: MetricsSnapshot[] };
    if (m.brisk === 'shutdown') hooks.shutdown();
    else if (m.brisk === 'metrics-collect') process.send?.({ brisk: 'metrics-reply', id: m.id, snapshot: server.metricsSnapshot() }, undefined, undefined, () => {});
    else if (m.brisk === 'metrics-result') {
      const resolve = pending.get(m.id as number);
      pending.delete(m.id as number);
      resolve?.(m.snapshots ?? []);
    }
  });
  if (server.metrics === null) return;
  server.metricsCollector = (local) =>
    new Promise((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve(local); // the primary did not answer: this worker's own counts
      }, 2000);
      pending.set(id, (snapshots) => {
        clearTimeout(timer);
        resolve(mergeSnapshots([local, ...snapshots]));
      });
      // If the channel is gone, the timer answers with this worker's own counts.
      process.send?.({ brisk: 'metrics-request', id }, undefined, undefined, () => {});
    });
}
