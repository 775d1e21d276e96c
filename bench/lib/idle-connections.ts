// Opening idle keep-alive connections, shared by the memory mode's client (idle-client.ts) and the
// soak's idle phase (soak/idle.ts): each connection sends one GET, reads the answer and is then
// left open and idle, as a browser's spare connection is.
import net from 'node:net';

/** Connections opened at once; arbitrary, small enough not to overflow a listen backlog of 511. */
export const IDLE_BATCH = 250;

export interface IdleOptions {
  /** The target of each connection's GET; default `/`. */
  readonly path?: string;
  /** Connections opened at once; default IDLE_BATCH. */
  readonly batch?: number;
  /** A connection that has not had its answer by then counts as failed. */
  readonly timeoutMs: number;
}

/**
 * Connect, send `request`, and resolve with the socket once the answer's head and (small) body
 * arrived (the head alone when it has no Content-Length); null, with the socket destroyed, on an
 * error, an early close or the timeout.
 */
export function openIdleConnection(port: number, request: Buffer, timeoutMs: number): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    let received = '';
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      socket.setTimeout(0);
      if (!ok) socket.destroy();
      resolve(ok ? socket : null);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const headEnd = received.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(received.slice(0, headEnd));
      if (length === null || received.length - headEnd - 4 >= Number(length[1])) done(true);
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

/** Open `count` idle connections to 127.0.0.1:<port>, `batch` at a time. */
export async function openIdleConnections(port: number, count: number, options: IdleOptions): Promise<{ sockets: net.Socket[]; failed: number }> {
  const request = Buffer.from(`GET ${options.path ?? '/'} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, 'latin1');
  const batchSize = options.batch ?? IDLE_BATCH;
  const sockets: net.Socket[] = [];
  let failed = 0;
  for (let opened = 0; opened < count; opened += batchSize) {
    const batch = await Promise.all(Array.from({ length: Math.min(batchSize, count - opened) }, () => openIdleConnection(port, request, options.timeoutMs)));
    for (const socket of batch) {
      if (socket === null) failed++;
      else sockets.push(socket);
    }
  }
  return { sockets, failed };
}
