// Contestant "brisk-router": the app Router with 100 GET routes; the bench hits the last one
// added, /route99, which answers the seed page. /upload and /download are two more routes.
import { createServer, Router, type BriskRequest, type BriskResponse } from '../../src/index.js';
import { announce, DOWNLOAD_BODY, DOWNLOAD_TYPE, HOST, portFromArgs, SEED_BODY, SEED_TYPE, UPLOAD_REPLY } from './common.js';

export const ROUTE_COUNT = 100;
const port = portFromArgs();
const router = new Router();

for (let k = 0; k < ROUTE_COUNT - 1; k++) {
  router.get(`/route${k}`, (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end(`route ${k}`);
  });
}
router.get(`/route${ROUTE_COUNT - 1}`, (_req, res) => {
  res.setHeader('Content-Type', SEED_TYPE);
  res.end(SEED_BODY);
});
router.post('/upload', async (req: BriskRequest, res: BriskResponse) => {
  for await (const _chunk of req) {
    // read and thrown away
  }
  res.setHeader('Content-Type', 'text/plain');
  res.end(UPLOAD_REPLY);
});
router.get('/download', (_req, res) => {
  res.setHeader('Content-Type', DOWNLOAD_TYPE);
  res.end(DOWNLOAD_BODY);
});

const server = createServer(router.handle);
await server.listen(port, HOST);
announce('brisk-router', port);
