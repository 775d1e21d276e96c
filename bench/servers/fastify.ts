// Contestant "fastify": Fastify 5 with its defaults (logger off), one route per endpoint.
import Fastify from 'fastify';
import { announce, DOWNLOAD_BODY, DOWNLOAD_TYPE, HOST, KEEP_ALIVE_TIMEOUT_MS, portFromArgs, SEED_BODY, SEED_TYPE, UPLOAD_REPLY } from './common.js';

const port = portFromArgs();
const app = Fastify({ logger: false, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS });

// Fastify answers 415 to a content type it has no parser for; this one reads and drops the body.
app.addContentTypeParser('*', (_request, payload, done) => {
  payload.on('data', () => {});
  payload.on('end', () => done(null, undefined));
  payload.on('error', (err: Error) => done(err, undefined));
});
app.get('/', (_request, reply) => {
  reply.type(SEED_TYPE).send(SEED_BODY);
});
app.post('/upload', (_request, reply) => {
  reply.type('text/plain').send(UPLOAD_REPLY);
});
app.get('/download', (_request, reply) => {
  reply.type(DOWNLOAD_TYPE).send(DOWNLOAD_BODY);
});

await app.listen({ port, host: HOST });
announce('fastify', port);
