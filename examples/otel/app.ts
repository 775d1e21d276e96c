// brisk with OpenTelemetry: every request becomes a SERVER span, printed by the SDK's console
// exporter. In production, register your SDK (NodeSDK, an OTLP exporter ...) instead: the
// instrumentation takes the global tracer provider.
// Run: npm run build && node dist/examples/otel/app.js, then curl http://127.0.0.1:5000/users/7
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Router, serve } from '../../src/index.js';
import { instrumentBrisk } from './tracing.js';

trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] }));
instrumentBrisk({ requestHeaders: ['user-agent'] });

const router = new Router();
router.get('/users/:id', (req, res) => res.end(`user ${req.params.id}\n`));
router.get('/fail', () => {
  throw new Error('something broke');
});

const port = Number(process.env.PORT ?? 5000);
await serve(router, { host: '127.0.0.1', port });
console.log(`otel example on http://127.0.0.1:${port}/users/7`);
