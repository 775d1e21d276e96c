// Contestant "express": Express 5 on node:http (app.listen), keepAliveTimeout raised as for node-http.
import { announce, HOST, KEEP_ALIVE_TIMEOUT_MS, portFromArgs } from './common.js';
import { expressApp } from './express-app.js';

const port = portFromArgs();
const server = expressApp().listen(port, HOST, () => announce('express', port));
server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
