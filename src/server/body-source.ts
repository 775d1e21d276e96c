// The body sources Response.send() (and the app layer's compression) take, as one async iterable.
import type { Readable } from 'node:stream';
import type { BodyChunk } from './types.js';

/** Any body source `send()` takes, as one async iterable (Node's Readable and Web ReadableStream both are). */
export function bodySourceIterable(source: Readable | ReadableStream<Uint8Array> | AsyncIterable<BodyChunk>): AsyncIterable<BodyChunk> {
  if (Symbol.asyncIterator in source) return source as AsyncIterable<BodyChunk>;
  return readableStreamIterable(source as ReadableStream<Uint8Array>);
}

/** A ReadableStream from another realm or an older runtime, without async iteration. */
async function* readableStreamIterable(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
