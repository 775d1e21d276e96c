// The seed tutorial's server, in brisk: the same page on port 5000.
// Run: npm run build && node dist/examples/hello.js, then curl -i http://127.0.0.1:5000/
import { serve } from '../src/index.js';

await serve(
  (_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end('<html><body>Hello World</body></html>');
  },
  { host: '127.0.0.1', port: 5000 },
);
console.log('hello listening on http://127.0.0.1:5000/');
