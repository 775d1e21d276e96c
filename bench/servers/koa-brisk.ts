// Contestant "koa-brisk": the same Koa 3 app served by brisk (serve() detects Koa).
import { serve } from '../../src/index.js';
import { announce, HOST, portFromArgs } from './common.js';
import { koaApp } from './koa-app.js';

const port = portFromArgs();
await serve(koaApp(), { host: HOST, port });
announce('koa-brisk', port);
