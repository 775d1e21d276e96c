// Contestant "brisk-fetch": a Web-standard fetch app `{ fetch(request) }` through toHandler,
// with brisk's opt-in FastResponse installed as the global Response — the same trade
// @hono/node-server makes by default for the Hono contestant (its overrideGlobalObjects).
import { createServer, installFastResponse, toHandler } from '../../src/index.js';
import { announce, discard, DOWNLOAD_BODY, DOWNLOAD_TYPE, HOST, pathOf, portFromArgs, SEED_BODY, SEED_TYPE, UPLOAD_REPLY } from './common.js';

installFastResponse();
const port = portFromArgs();
const seedInit: ResponseInit = { headers: { 'Content-Type': SEED_TYPE } };
const downloadInit: ResponseInit = { headers: { 'Content-Type': DOWNLOAD_TYPE } };
const uploadInit: ResponseInit = { headers: { 'Content-Type': 'text/plain' } };

const app = {
  async fetch(request: Request): Promise<Response> {
    const path = pathOf(request.url);
    if (path === '/upload') {
      await discard(request.body);
      return new Response(UPLOAD_REPLY, uploadInit);
    }
    if (path === '/download') return new Response(DOWNLOAD_BODY, downloadInit);
    return new Response(SEED_BODY, seedInit);
  },
};

const server = createServer(toHandler(app));
await server.listen(port, HOST);
announce('brisk-fetch', port);
