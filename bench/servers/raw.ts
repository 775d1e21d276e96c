// Contestant "raw": the ceiling. A node:net server that does no HTTP parsing at all: it counts
// request-head terminators (CR LF CR LF) in the incoming bytes and, per read, writes that many
// copies of one precomputed response in a single socket.write. No Node.js HTTP server can do less
// work per request, so brisk's speed is reported as a fraction of this one's.
//
// It cannot read the request, so the runner tells it what to answer at start-up:
//   node raw.js PORT            the seed page, keep-alive (also used for /upload: a 1 MiB body of
//                               'x' holds no terminator, so each upload gets one answer)
//   node raw.js PORT close      the seed page with `Connection: close`, then the socket is ended
//   node raw.js PORT download   a 1 MiB body
import net from 'node:net';
import { announce, HOST, portFromArgs } from './common.js';
import { mode, ONE, responses, TerminatorCounter } from './raw-common.js';

const port = portFromArgs();

const server = net.createServer({ noDelay: true }, (socket) => {
  const counter = new TerminatorCounter();
  socket.on('data', (chunk: Buffer) => {
    const n = counter.count(chunk);
    if (n === 0) return;
    if (mode === 'close') socket.end(ONE);
    else socket.write(responses(n));
  });
  socket.on('error', () => socket.destroy());
});
server.listen(port, HOST, () => announce(`raw (${mode})`, port));
