// Run by libuv.test.ts in a child process (with flags or a preload that breaks a binding):
// prints the probe's result as one JSON line, and nothing else.
import { probeLibuvTransport } from '../../src/transport/libuv-probe.js';
import { libuvTier } from '../../src/transport/libuv.js';

const result = await probeLibuvTransport();
process.stdout.write(`${JSON.stringify({ ...result, tier: libuvTier() })}\n`);
