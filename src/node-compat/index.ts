// node:http compatibility: Express, Connect and Koa apps (any http.createServer listener) on brisk.
export { fromNodeListener, type NodeRequestListener } from './listener.js';
export { nodeListenerOf, type NodeApp } from './detect.js';
