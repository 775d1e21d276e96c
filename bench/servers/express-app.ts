// The Express app of contestants "express" (node:http) and "express-brisk" (the same app on brisk
// through fromNodeListener): the seed page, /upload (body read and thrown away), /download.
import express from 'express';
import { DOWNLOAD_BODY, DOWNLOAD_TYPE, SEED_BODY, SEED_TYPE, UPLOAD_REPLY } from './common.js';

export function expressApp(): express.Express {
  const app = express();
  app.post('/upload', (req, res) => {
    req.on('data', () => {});
    req.on('end', () => res.type('text/plain').send(UPLOAD_REPLY));
  });
  app.get('/download', (_req, res) => res.type(DOWNLOAD_TYPE).send(DOWNLOAD_BODY));
  app.get('/', (_req, res) => res.type(SEED_TYPE).send(SEED_BODY));
  return app;
}
