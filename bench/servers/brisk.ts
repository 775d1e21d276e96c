// Contestant "brisk": the core's native handler `(req, res)`, on the transport its options pick
// by default (auto: libuv where its self-test passes). "brisk-net": the same on the net transport.
// Usage: node brisk.js PORT [auto|libuv|net]
import { createServer, type BriskRequest, type BriskResponse } from '../../src/index.js';
import { announce, DOWNLOAD_BODY, DOWNLOAD_TYPE, HOST, portFromArgs, SEED_BODY, SEED_TYPE, UPLOAD_REPLY } from './common.js';

const port = portFromArgs();
const transport = (process.argv[3] ?? 'auto') as 'auto' | 'libuv' | 'net';

async function upload(req: BriskRequest, res: BriskResponse): Promise<void> {
  for await (const _chunk of req) {
    // read and thrown away
  }
  res.setHeader('Content-Type', 'text/plain');
  res.end(UPLOAD_REPLY);
}

const server = createServer((req, res) => {
  const path = req.path;
  if (path === '/upload') return upload(req, res);
  if (path === '/download') {
    res.setHeader('Content-Type', DOWNLOAD_TYPE);
    res.end(DOWNLOAD_BODY);
    return;
  }
  res.setHeader('Content-Type', SEED_TYPE);
  res.end(SEED_BODY);
}, { transport });
await server.listen(port, HOST);
announce(`brisk (transport ${server.transport})`, port);
