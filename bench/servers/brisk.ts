// Contestant "brisk": the core's native handler `(req, res)`.
import { createServer, type BriskRequest, type BriskResponse } from '../../src/index.js';
import { announce, DOWNLOAD_BODY, DOWNLOAD_TYPE, HOST, portFromArgs, SEED_BODY, SEED_TYPE, UPLOAD_REPLY } from './common.js';

const port = portFromArgs();

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
});
await server.listen(port, HOST);
announce('brisk', port);
