// The Koa app of contestants "koa" (node:http) and "koa-brisk" (the same app on brisk).
import Koa from 'koa';
import { DOWNLOAD_BODY, DOWNLOAD_TYPE, SEED_BODY, SEED_TYPE, UPLOAD_REPLY } from './common.js';

export function koaApp(): Koa {
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.path === '/upload') {
      for await (const _chunk of ctx.req) {
        // read and thrown away
      }
      ctx.type = 'text/plain';
      ctx.body = UPLOAD_REPLY;
    } else if (ctx.path === '/download') {
      ctx.type = DOWNLOAD_TYPE;
      ctx.body = DOWNLOAD_BODY;
    } else {
      ctx.type = SEED_TYPE;
      ctx.body = SEED_BODY;
    }
  });
  return app;
}
