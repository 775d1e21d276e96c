// Contestant "node-http": the baseline every ratio is taken against — plain node:http, as its docs
// show it, with keepAliveTimeout raised so idle connections survive the memory mode.
import http from 'node:http';
import { announce, DOWNLOAD_BODY, DOWNLOAD_TYPE, HOST, KEEP_ALIVE_TIMEOUT_MS, portFromArgs, SEED_BODY, SEED_TYPE, UPLOAD_REPLY } from './common.js';

const port = portFromArgs();
const seedHeaders = { 'Content-Type': SEED_TYPE, 'Content-Length': Buffer.byteLength(SEED_BODY) };
const downloadHeaders = { 'Content-Type': DOWNLOAD_TYPE, 'Content-Length': DOWNLOAD_BODY.length };
const uploadHeaders = { 'Content-Type': 'text/plain', 'Content-Length': UPLOAD_REPLY.length };

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url === '/upload') {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, uploadHeaders);
      res.end(UPLOAD_REPLY);
    });
    return;
  }
  if (url === '/download') {
    res.writeHead(200, downloadHeaders);
    res.end(DOWNLOAD_BODY);
    return;
  }
  res.writeHead(200, seedHeaders);
  res.end(SEED_BODY);
});
server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
server.listen(port, HOST, () => announce('node-http', port));
