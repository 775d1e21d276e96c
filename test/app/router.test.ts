// Router behaviour, table-driven in the spirit of Hono's shared `common.case.test.ts`: each case
// is a set of routes and a table of requests with the route (and params) expected to answer, the
// methods a 405 must list, or a 404. The same tables run against `match()` in memory and, through
// `router.handle`, over real sockets; 404 / 405 / HEAD / OPTIONS / middleware also get byte-level
// checks with a raw client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpError, MalformedPathError, RouteDefinitionError, Router, type Middleware, type RouteHandler } from '../../src/index.js';
import { request, withClient } from '../helpers/raw-client.js';
import { startServer, type TestServer } from '../helpers/server.js';

type Expectation =
  | { readonly route: string; readonly params?: Record<string, string> }
  | { readonly allowed: readonly string[] }
  | 404;

interface RouterCase {
  readonly name: string;
  /** [method, pattern]; the handler answers with the pattern and params as JSON. */
  readonly routes: readonly (readonly [string, string])[];
  readonly requests: readonly (readonly [method: string, path: string, expected: Expectation])[];
}

const CASES: readonly RouterCase[] = [
  {
    name: 'static routes',
    routes: [['GET', '/'], ['GET', '/hello'], ['GET', '/hello/world'], ['POST', '/hello']],
    requests: [
      ['GET', '/', { route: '/' }],
      ['GET', '/hello', { route: '/hello' }],
      ['POST', '/hello', { route: '/hello' }],
      ['GET', '/hello/world', { route: '/hello/world' }],
      ['GET', '/hello/world/more', 404],
      ['GET', '/nope', 404],
      ['GET', '/Hello', 404], // case-sensitive
    ],
  },
  {
    name: 'trailing slash: /a and /a/ are different routes',
    routes: [['GET', '/a'], ['GET', '/b/']],
    requests: [
      ['GET', '/a', { route: '/a' }],
      ['GET', '/a/', 404],
      ['GET', '/b/', { route: '/b/' }],
      ['GET', '/b', 404],
      ['GET', '//a', 404],
    ],
  },
  {
    name: 'named parameters',
    routes: [['GET', '/users/:id'], ['GET', '/users/:id/posts/:postId'], ['GET', '/entry/:id/comment']],
    requests: [
      ['GET', '/users/42', { route: '/users/:id', params: { id: '42' } }],
      ['GET', '/users/42/posts/7', { route: '/users/:id/posts/:postId', params: { id: '42', postId: '7' } }],
      ['GET', '/entry/x/comment', { route: '/entry/:id/comment', params: { id: 'x' } }],
      ['GET', '/users/', 404], // a parameter never matches an empty segment
      ['GET', '/users', 404],
      ['GET', '/users/42/posts', 404],
      ['GET', '/users/42/', 404],
    ],
  },
  {
    name: 'different parameter names at one position',
    routes: [['GET', '/shop/:shopId'], ['GET', '/shop/:id/items']],
    requests: [
      ['GET', '/shop/s1', { route: '/shop/:shopId', params: { shopId: 's1' } }],
      ['GET', '/shop/s1/items', { route: '/shop/:id/items', params: { id: 's1' } }],
    ],
  },
  {
    name: 'trailing wildcard',
    routes: [['GET', '/static/*'], ['GET', '/*']],
    requests: [
      ['GET', '/static/css/site.css', { route: '/static/*', params: { '*': 'css/site.css' } }],
      ['GET', '/static/', { route: '/static/*', params: { '*': '' } }],
      ['GET', '/static', { route: '/*', params: { '*': 'static' } }],
      ['GET', '/anything/else/', { route: '/*', params: { '*': 'anything/else/' } }],
    ],
  },
  {
    name: 'wildcard with parameters before it',
    routes: [['GET', '/repos/:owner/:repo/tree/*']],
    requests: [
      ['GET', '/repos/a/b/tree/src/x.ts', { route: '/repos/:owner/:repo/tree/*', params: { owner: 'a', repo: 'b', '*': 'src/x.ts' } }],
      ['GET', '/repos/a/b/tree', 404],
    ],
  },
  {
    name: 'precedence: static > param > wildcard, with backtracking',
    routes: [
      ['GET', '/users/me'],
      ['GET', '/users/:id'],
      ['GET', '/users/*'],
      ['GET', '/a/b/c'],
      ['GET', '/a/:x/d'],
      ['GET', '/a/*'],
    ],
    requests: [
      ['GET', '/users/me', { route: '/users/me' }],
      ['GET', '/users/you', { route: '/users/:id', params: { id: 'you' } }],
      ['GET', '/users/you/deep', { route: '/users/*', params: { '*': 'you/deep' } }],
      ['GET', '/users/', { route: '/users/*', params: { '*': '' } }],
      ['GET', '/a/b/c', { route: '/a/b/c' }],
      ['GET', '/a/b/d', { route: '/a/:x/d', params: { x: 'b' } }], // static b has no d: back to :x
      ['GET', '/a/b/e', { route: '/a/*', params: { '*': 'b/e' } }],
    ],
  },
  {
    name: 'registration order does not change precedence',
    routes: [['GET', '/p/*'], ['GET', '/p/:id'], ['GET', '/p/fixed']],
    requests: [
      ['GET', '/p/fixed', { route: '/p/fixed' }],
      ['GET', '/p/other', { route: '/p/:id', params: { id: 'other' } }],
      ['GET', '/p/x/y', { route: '/p/*', params: { '*': 'x/y' } }],
    ],
  },
  {
    name: 'a method is looked for in every matching branch before answering 405',
    routes: [['GET', '/m/static'], ['POST', '/m/:id']],
    requests: [
      ['POST', '/m/static', { route: '/m/:id', params: { id: 'static' } }],
      ['GET', '/m/static', { route: '/m/static' }],
      ['DELETE', '/m/static', { allowed: ['GET', 'HEAD', 'OPTIONS', 'POST'] }],
      ['GET', '/m/other', { allowed: ['OPTIONS', 'POST'] }],
    ],
  },
  {
    name: '405 lists exactly the methods of the path',
    routes: [['GET', '/r'], ['PUT', '/r'], ['DELETE', '/r'], ['POST', '/other']],
    requests: [
      ['POST', '/r', { allowed: ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PUT'] }],
      ['PATCH', '/r', { allowed: ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PUT'] }],
      ['GET', '/other', { allowed: ['OPTIONS', 'POST'] }],
      ['GET', '/none', 404],
    ],
  },
  {
    name: 'HEAD is served by GET; an explicit HEAD route wins',
    routes: [['GET', '/h'], ['GET', '/both'], ['HEAD', '/both'], ['POST', '/post-only']],
    requests: [
      ['HEAD', '/h', { route: '/h' }],
      ['HEAD', '/both', { route: 'HEAD /both' }],
      ['HEAD', '/post-only', { allowed: ['OPTIONS', 'POST'] }],
    ],
  },
  {
    name: 'all() answers every method',
    routes: [['*', '/any'], ['GET', '/mixed'], ['*', '/mixed']],
    requests: [
      ['GET', '/any', { route: 'ALL /any' }],
      ['DELETE', '/any', { route: 'ALL /any' }],
      ['OPTIONS', '/any', { route: 'ALL /any' }],
      ['GET', '/mixed', { route: '/mixed' }],
      ['PUT', '/mixed', { route: 'ALL /mixed' }],
    ],
  },
  {
    name: 'percent-encoded paths: params decoded once per segment',
    routes: [['GET', '/files/:name'], ['GET', '/café'], ['GET', '/raw/*']],
    requests: [
      ['GET', '/files/a%20b', { route: '/files/:name', params: { name: 'a b' } }],
      ['GET', '/files/a%2Fb', { route: '/files/:name', params: { name: 'a/b' } }],
      ['GET', '/files/%25', { route: '/files/:name', params: { name: '%' } }],
      ['GET', '/files/%252e', { route: '/files/:name', params: { name: '%2e' } }],
      ['GET', '/files/%E2%9C%93', { route: '/files/:name', params: { name: '✓' } }],
      ['GET', '/caf%C3%A9', { route: '/café' }],
      ['GET', '/%66iles/x', { route: '/files/:name', params: { name: 'x' } }],
      ['GET', '/raw/a%20b/c%2Fd', { route: '/raw/*', params: { '*': 'a b/c/d' } }],
    ],
  },
];

/** The label a handler answers with: the pattern, prefixed for HEAD and all() routes. */
function label(method: string, pattern: string): string {
  return method === 'HEAD' ? `HEAD ${pattern}` : method === '*' ? `ALL ${pattern}` : pattern;
}

function buildRouter(routes: RouterCase['routes']): { router: Router; labels: Map<RouteHandler, string> } {
  const router = new Router();
  const labels = new Map<RouteHandler, string>();
  for (const [method, pattern] of routes) {
    const name = label(method, pattern);
    const handler: RouteHandler = (req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ route: name, params: req.params }));
    };
    labels.set(handler, name);
    router.add(method, pattern, handler);
  }
  // Routes that carry a HEAD/ALL label need distinct tree slots; the labels map keeps them apart.
  return { router, labels };
}

describe('Router.match (in memory)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { router, labels } = buildRouter(c.routes);
      for (const [method, path, expected] of c.requests) {
        const result = router.match(method, path);
        const where = `${method} ${path}`;
        if (expected === 404) {
          assert.equal(result, null, where);
        } else if ('allowed' in expected) {
          assert.ok(result !== null && 'allowed' in result, `${where}: expected 405, got ${JSON.stringify(result)}`);
          assert.deepEqual([...result.allowed].sort(), [...expected.allowed].sort(), where);
        } else {
          assert.ok(result !== null && 'handler' in result, `${where}: expected ${expected.route}, got ${JSON.stringify(result)}`);
          assert.equal(labels.get(result.handler), expected.route, where);
          assert.deepEqual(result.params, expected.params ?? {}, where);
        }
      }
    });
  }

  it('100 routes: the last one registered is found, with its parameter', () => {
    const router = new Router();
    const handlers: RouteHandler[] = [];
    for (let i = 0; i < 100; i++) {
      const handler: RouteHandler = (_req, res) => res.end(String(i));
      handlers.push(handler);
      router.get(i % 2 === 0 ? `/api/v1/resource${i}` : `/api/v1/resource${i}/:id`, handler);
    }
    const last = router.match('GET', '/api/v1/resource99/abc');
    assert.ok(last !== null && 'handler' in last);
    assert.equal(last.handler, handlers[99]);
    assert.deepEqual(last.params, { id: 'abc' });
    const static98 = router.match('GET', '/api/v1/resource98');
    assert.ok(static98 !== null && 'handler' in static98 && static98.handler === handlers[98]);
  });

  it('a malformed percent-encoding throws MalformedPathError', () => {
    const router = new Router().get('/files/:name', (_req, res) => res.end());
    assert.throws(() => router.match('GET', '/files/%E0%A4%A'), MalformedPathError);
    assert.throws(() => router.match('GET', '/files/%zz'), MalformedPathError);
  });

  it('targets that are not paths match nothing (asterisk-form, authority-form); empty path is "/"', () => {
    const router = new Router().get('/', (_req, res) => res.end());
    assert.equal(router.match('GET', '*'), null);
    assert.deepEqual(router.match('OPTIONS', '*'), { allowed: ['GET', 'HEAD', 'OPTIONS'] });
    assert.equal(router.match('CONNECT', 'example.com:443'), null);
    assert.ok(router.match('GET', '') !== null);
  });

  it('refuses bad definitions at registration', () => {
    const router = new Router().get('/dup/:id', (_req, res) => res.end());
    const h: RouteHandler = (_req, res) => res.end();
    assert.throws(() => router.get('/dup/:other', h), RouteDefinitionError); // same shape, same method
    assert.throws(() => router.get('no-slash', h), RouteDefinitionError);
    assert.throws(() => router.get('/a/*/b', h), RouteDefinitionError);
    assert.throws(() => router.get('/a/:', h), RouteDefinitionError);
    assert.throws(() => router.get('/a/:x/:x', h), RouteDefinitionError);
    assert.throws(() => router.add('BAD METHOD', '/x', h), RouteDefinitionError);
    assert.doesNotThrow(() => router.post('/dup/:other', h)); // another method is fine
  });
});

// --- over real sockets ---------------------------------------------------------------------------

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serveRouter(router: Router): Promise<TestServer> {
  const server = await startServer(router.handle, { logLevel: 'silent' });
  servers.push(server);
  return server;
}

describe('Router over sockets: the case tables through fetch', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const server = await serveRouter(buildRouter(c.routes).router);
      for (const [method, path, expected] of c.requests) {
        const where = `${method} ${path}`;
        const response = await fetch(server.origin + path, { method });
        if (expected === 404) {
          assert.equal(response.status, 404, where);
          assert.equal(await response.text(), method === 'HEAD' ? '' : 'Not Found\n', where);
        } else if ('allowed' in expected) {
          assert.equal(response.status, 405, where);
          assert.deepEqual(parseAllow(response.headers.get('allow')), [...expected.allowed].sort(), where);
          await response.arrayBuffer();
        } else {
          assert.equal(response.status, 200, where);
          const text = await response.text();
          if (method === 'HEAD') {
            assert.equal(text, '', where);
            assert.ok(Number(response.headers.get('content-length')) > 0, `${where}: HEAD keeps Content-Length`);
          } else {
            assert.deepEqual(JSON.parse(text), { route: expected.route, params: expected.params ?? {} }, where);
          }
        }
      }
    });
  }
});

function parseAllow(value: string | null): string[] {
  return (value ?? '').split(',').map((m) => m.trim()).filter((m) => m.length > 0).sort();
}

describe('Router over sockets: 404, 405, HEAD, OPTIONS on the wire', () => {
  let server: TestServer;
  before(async () => {
    const router = new Router()
      .get('/items', (_req, res) => {
        res.setHeader('Content-Type', 'text/plain');
        res.end('item list');
      })
      .post('/items', (_req, res) => res.end('created'))
      .get('/items/:id', (req, res) => res.end(`item ${req.params.id}`))
      .delete('/items/:id', (_req, res) => res.end('deleted'))
      .options('/custom-options', (_req, res) => {
        res.status = 200;
        res.setHeader('Allow', 'GET');
        res.end('custom');
      })
      .get('/custom-options', (_req, res) => res.end('x'));
    server = await serveRouter(router);
  });

  it('404: plain text, Content-Length, connection kept alive', async () => {
    await withClient(server.port, async (client) => {
      await client.write(request(['GET /missing HTTP/1.1', 'Host: x']));
      const response = await client.readResponse();
      assert.equal(response.status, 404);
      assert.equal(response.header('content-type'), 'text/plain; charset=utf-8');
      assert.equal(response.body.toString(), 'Not Found\n');
      assert.equal(response.header('content-length'), '10');
      assert.ok(!response.hasToken('connection', 'close'));
      await client.write(request(['GET /items HTTP/1.1', 'Host: x']));
      assert.equal((await client.readResponse()).body.toString(), 'item list');
    });
  });

  it('405 carries the exact Allow set', async () => {
    await withClient(server.port, async (client) => {
      await client.write(request(['PUT /items HTTP/1.1', 'Host: x', 'Content-Length: 0']));
      const collection = await client.readResponse();
      assert.equal(collection.status, 405);
      assert.equal(collection.header('allow'), 'GET, HEAD, POST, OPTIONS');
      assert.equal(collection.body.toString(), 'Method Not Allowed\n');
      await client.write(request(['POST /items/3 HTTP/1.1', 'Host: x', 'Content-Length: 0']));
      const item = await client.readResponse();
      assert.equal(item.status, 405);
      assert.equal(item.header('allow'), 'GET, HEAD, DELETE, OPTIONS');
    });
  });

  it('HEAD uses the GET route: same head, Content-Length kept, no body bytes', async () => {
    await withClient(server.port, async (client) => {
      await client.write(request(['GET /items HTTP/1.1', 'Host: x']));
      const get = await client.readResponse();
      await client.write(request(['HEAD /items HTTP/1.1', 'Host: x']));
      const head = await client.readResponse({ method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.header('content-length'), get.header('content-length'));
      assert.equal(head.header('content-type'), 'text/plain');
      assert.equal(head.body.length, 0);
      // Nothing extra was sent: the next response parses cleanly right after the HEAD one.
      await client.write(request(['GET /items/9 HTTP/1.1', 'Host: x']));
      assert.equal((await client.readResponse()).body.toString(), 'item 9');
    });
  });

  it('OPTIONS is answered automatically: 204 with Allow, no body', async () => {
    await withClient(server.port, async (client) => {
      await client.write(request(['OPTIONS /items/5 HTTP/1.1', 'Host: x']));
      const response = await client.readResponse();
      assert.equal(response.status, 204);
      assert.equal(response.header('allow'), 'GET, HEAD, DELETE, OPTIONS');
      assert.equal(response.body.length, 0);
      assert.equal(response.header('content-length'), undefined);
      await client.write(request(['OPTIONS /missing HTTP/1.1', 'Host: x']));
      assert.equal((await client.readResponse()).status, 404);
    });
  });

  it('an OPTIONS route replaces the automatic answer', async () => {
    const response = await fetch(server.origin + '/custom-options', { method: 'OPTIONS' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('allow'), 'GET');
    assert.equal(await response.text(), 'custom');
  });

  it('OPTIONS * lists every method the router knows', async () => {
    await withClient(server.port, async (client) => {
      await client.write(request(['OPTIONS * HTTP/1.1', 'Host: x']));
      const response = await client.readResponse();
      assert.equal(response.status, 204);
      assert.deepEqual(parseAllow(response.header('allow') ?? null), ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST']);
    });
  });

  it('absolute-form targets route by their path', async () => {
    await withClient(server.port, async (client) => {
      await client.write(request([`GET http://127.0.0.1:${server.port}/items/abs?q=1 HTTP/1.1`, 'Host: x']));
      const response = await client.readResponse();
      assert.equal(response.status, 200);
      assert.equal(response.body.toString(), 'item abs');
    });
  });

  it('a malformed percent-encoding is a 400, and the connection stays usable', async () => {
    await withClient(server.port, async (client) => {
      await client.write(request(['GET /items/%E0%A4%A HTTP/1.1', 'Host: x']));
      const response = await client.readResponse();
      assert.equal(response.status, 400);
      assert.match(response.body.toString(), /percent-encoding/);
      await client.write(request(['GET /items/a%20b HTTP/1.1', 'Host: x']));
      assert.equal((await client.readResponse()).body.toString(), 'item a b');
    });
  });

  it('the query string is not part of the path', async () => {
    const response = await fetch(server.origin + '/items/7?x=/y');
    assert.equal(await response.text(), 'item 7');
  });
});

describe('Router middleware', () => {
  it('runs global then route middleware around the handler, with code after await next()', async () => {
    const events: string[] = [];
    const tag = (name: string): Middleware => async (_req, res, next) => {
      events.push(`${name} before`);
      res.appendHeader('X-Trace', name);
      await next();
      events.push(`${name} after`);
    };
    const router = new Router().use(tag('global1'), tag('global2'));
    router.get('/m/:id', tag('route1'), tag('route2'), (req, res) => {
      events.push(`handler ${req.params.id}`);
      res.end('done');
    });
    const server = await serveRouter(router);
    const response = await fetch(server.origin + '/m/5');
    assert.equal(await response.text(), 'done');
    assert.equal(response.headers.get('x-trace'), 'global1, global2, route1, route2');
    assert.deepEqual(events, [
      'global1 before', 'global2 before', 'route1 before', 'route2 before',
      'handler 5',
      'route2 after', 'route1 after', 'global2 after', 'global1 after',
    ]);
  });

  it('short-circuits: a middleware that answers without next() stops the chain', async () => {
    let handlerRan = false;
    const auth: Middleware = (req, res, next) => {
      if (req.headers.get('authorization') !== 'Bearer ok') {
        res.status = 401;
        res.end('no');
        return;
      }
      return next();
    };
    const router = new Router().get('/secret', auth, (_req, res) => {
      handlerRan = true;
      res.end('yes');
    });
    const server = await serveRouter(router);
    const denied = await fetch(server.origin + '/secret');
    assert.equal(denied.status, 401);
    assert.equal(await denied.text(), 'no');
    assert.equal(handlerRan, false);
    const allowed = await fetch(server.origin + '/secret', { headers: { authorization: 'Bearer ok' } });
    assert.equal(await allowed.text(), 'yes');
    assert.equal(handlerRan, true);
  });

  it('global middleware sees 404, 405 and OPTIONS answers too; params are {} there', async () => {
    const seen: string[] = [];
    const router = new Router()
      .use(async (req, res, next) => {
        res.setHeader('X-Seen', '1');
        await next();
        seen.push(`${req.method} ${req.path} ${res.status} ${JSON.stringify(req.params)}`);
      })
      .get('/only-get', (_req, res) => res.end('ok'));
    const server = await serveRouter(router);
    for (const [method, path] of [['GET', '/missing'], ['POST', '/only-get'], ['OPTIONS', '/only-get']] as const) {
      const response = await fetch(server.origin + path, { method });
      assert.equal(response.headers.get('x-seen'), '1');
      await response.arrayBuffer();
    }
    assert.deepEqual(seen, ['GET /missing 404 {}', 'POST /only-get 405 {}', 'OPTIONS /only-get 204 {}']);
  });

  it('errors thrown in middleware or handlers become the core 500 (or the HttpError status)', async () => {
    const router = new Router()
      .use((req, _res, next) => {
        if (req.path === '/boom-mw') throw new Error('middleware failed');
        return next();
      })
      .get('/boom-mw', (_req, res) => res.end('unreachable'))
      .get('/boom', async () => {
        throw new Error('handler failed');
      })
      .get('/teapot', () => {
        throw new HttpError(418, 'short and stout');
      });
    const server = await serveRouter(router);
    assert.equal((await fetch(server.origin + '/boom-mw')).status, 500);
    assert.equal((await fetch(server.origin + '/boom')).status, 500);
    const teapot = await fetch(server.origin + '/teapot');
    assert.equal(teapot.status, 418);
    assert.equal(await teapot.text(), 'short and stout\n');
  });

  it('next() twice is an error', async () => {
    const router = new Router()
      .use(async (_req, _res, next) => {
        await next();
        await next();
      })
      .get('/twice', (_req, res) => res.end('once'));
    const server = await serveRouter(router);
    const response = await fetch(server.origin + '/twice');
    assert.equal(await response.text(), 'once'); // the answer went out; the second next() rejects
  });

  it('a custom notFound handler', async () => {
    const router = new Router({ notFound: (req, res) => {
      res.status = 404;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ missing: req.path }));
    } });
    const server = await serveRouter(router);
    const response = await fetch(server.origin + '/x/y');
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { missing: '/x/y' });
  });
});

describe('Router at scale', () => {
  it('100 routes over a socket: the last route answers, and a miss is still a 404', async () => {
    const router = new Router();
    for (let i = 0; i < 100; i++) {
      router.get(`/r${i}/items/:id`, (req, res) => res.end(`r${i} ${req.params.id}`));
      router.post(`/r${i}/static`, (_req, res) => res.end(`static ${i}`));
    }
    const server = await serveRouter(router);
    assert.equal(await (await fetch(server.origin + '/r99/items/last')).text(), 'r99 last');
    assert.equal(await (await fetch(server.origin + '/r99/static', { method: 'POST' })).text(), 'static 99');
    assert.equal((await fetch(server.origin + '/r100/items/x')).status, 404);
  });
});
