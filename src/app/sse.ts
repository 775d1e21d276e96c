// sse(res): server-sent events (HTML Living Standard, "Server-sent events", §9.2) on a brisk
// response: the text/event-stream head, event serialisation, and backpressure (each send
// resolves once the socket can take more). Never buffers events itself.
//
// Wire format, per event: optional "event:" and "id:" lines, one "data:" line per line of the
// data, then a blank line. A line starting with ":" is a comment (a keep-alive for proxies).
import type { BriskRequest, BriskResponse } from '../core.js';

export interface SseOptions {
  /** Ask the client to wait this many ms before reconnecting (the "retry:" field). */
  retry?: number;
  /**
   * The request being answered: when its signal aborts (the client went away) the stream
   * counts as closed and sends become no-ops.
   */
  req?: BriskRequest;
}

export interface SseEventFields {
  /** The event type (the "event:" field); the client's listener for it fires. Default "message". */
  event?: string;
  /** The last event ID (the "id:" field): a reconnecting client sends it back as Last-Event-ID. */
  id?: string;
}

export interface EventStream {
  /**
   * Send one event. Resolves when the socket can take more: await it to respect backpressure.
   * After the client went away it resolves at once and sends nothing (check `closed`).
   */
  send(data: string, fields?: SseEventFields): Promise<void>;
  /** Send a comment line (clients ignore it; proxies see traffic). */
  comment(text: string): Promise<void>;
  /** End the response. Clients reconnect after "retry" unless they close their EventSource. */
  close(): void;
  /** True after close(), or once the client went away (with `req` given). */
  readonly closed: boolean;
}

/** Line terminators the event-stream grammar accepts (CRLF, LF, CR): a field value must hold none. */
const LINE_BREAK = /\r\n|\r|\n/;

export function sse(res: BriskResponse, options: SseOptions = {}): EventStream {
  const { retry, req } = options;
  if (retry !== undefined && !(Number.isInteger(retry) && retry >= 0)) {
    throw new TypeError(`sse: retry must be a whole number of ms: ${String(retry)}`);
  }
  res.status = 200;
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  // nginx buffers proxied responses by default; this field turns that off for this response.
  res.setHeader('X-Accel-Buffering', 'no');
  // Send the head now, so the client's EventSource opens before the first event.
  res.write(retry === undefined ? ':\n\n' : `retry: ${retry}\n\n`);

  let ended = false;
  const isClosed = (): boolean => ended || res.finished || (req !== undefined && req.signal.aborted);
  const write = async (text: string): Promise<void> => {
    if (isClosed()) return;
    if (res.write(text)) return;
    // drained() rejects when the connection closes while we wait: the stream is over, which
    // `closed` reports; a send to a departed client is not an error for the sender's loop.
    await res.drained().catch(() => {
      ended = true;
    });
  };

  return {
    send(data, fields = {}) {
      let text = '';
      if (fields.event !== undefined) text += `event: ${singleLine(fields.event, 'event')}\n`;
      if (fields.id !== undefined) {
        // A NUL in the id makes the client ignore the field (the spec's "id" rule).
        if (fields.id.includes('\0')) throw new TypeError('sse: id must not contain NUL');
        text += `id: ${singleLine(fields.id, 'id')}\n`;
      }
      for (const line of data.split(LINE_BREAK)) text += `data: ${line}\n`;
      return write(text + '\n');
    },
    comment(text) {
      let out = '';
      for (const line of text.split(LINE_BREAK)) out += `: ${line}\n`;
      return write(out + '\n');
    },
    close() {
      if (ended) return;
      ended = true;
      if (!res.finished) res.end();
    },
    get closed() {
      return isClosed();
    },
  };
}

function singleLine(value: string, what: string): string {
  if (LINE_BREAK.test(value)) throw new TypeError(`sse: ${what} must be a single line`);
  return value;
}
