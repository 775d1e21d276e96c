// Contestant "koa": Koa 3 on node:http (app.listen), keepAliveTimeout raised as for node-http.
import { announce, HOST, KEEP_ALIVE_TIMEOUT_MS, portFromArgs } from './common.js';
import { koaApp } from './koa-app.js';

const port = portFromArgs();
const server = koaApp().listen(port, HOST, () => announce('koa', port));
server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
