// Contestant "express-brisk": the same Express 5 app served by brisk (serve() detects Express).
import { serve } from '../../src/index.js';
import { announce, HOST, portFromArgs } from './common.js';
import { expressApp } from './express-app.js';

const port = portFromArgs();
await serve(expressApp(), { host: HOST, port });
announce('express-brisk', port);
