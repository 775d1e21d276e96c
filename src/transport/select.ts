// Which transport a server's connections run on: the `transport` option (or BRISK_TRANSPORT, so
// that CI runs the whole suite on each), TLS, and the libuv transport's self-test, run once per
// process (libuv-probe.ts caches it: servers in tests are created hundreds of times).
import { probeLibuvTransport } from './libuv-probe.js';
import type { LibuvTier } from './libuv.js';

export type TransportChoice = 'auto' | 'libuv' | 'net';
export const TRANSPORT_CHOICES: readonly TransportChoice[] = ['auto', 'libuv', 'net'];

export type SelectedTransport =
  | { readonly kind: 'libuv'; readonly tier: LibuvTier; readonly why: string }
  | { readonly kind: 'net'; readonly tier: null; readonly why: string };

export function isTransportChoice(value: unknown): value is TransportChoice {
  return typeof value === 'string' && (TRANSPORT_CHOICES as readonly string[]).includes(value);
}

/** The option, else BRISK_TRANSPORT, else 'auto'. A bad value is a RangeError (at construction). */
export function requestedTransport(option: unknown, env: NodeJS.ProcessEnv = process.env): TransportChoice {
  if (option !== undefined) {
    if (!isTransportChoice(option)) throw new RangeError(`option transport must be auto, libuv or net, got ${JSON.stringify(option)}`);
    return option;
  }
  const fromEnv = env.BRISK_TRANSPORT;
  if (fromEnv === undefined || fromEnv === '') return 'auto';
  if (!isTransportChoice(fromEnv)) throw new RangeError(`BRISK_TRANSPORT must be auto, libuv or net, got ${JSON.stringify(fromEnv)}`);
  return fromEnv;
}

export interface SelectContext {
  /** TLS runs on node:tls, which needs a net.Socket. */
  readonly tls: boolean;
  /** A cluster worker listens through net.Server (cluster hands it the connections): tier 'sockets'. */
  readonly worker: boolean;
}

const TIER_NAMES: Record<LibuvTier, string> = { handles: 'tcp_wrap handles', sockets: 'net.Server sockets, handles driven directly' };

/**
 * Decide. 'libuv' whose self-test fails rejects with the reason: an explicit request is not
 * silently downgraded. 'net' never calls process.binding.
 */
export async function selectTransport(requested: TransportChoice, context: SelectContext): Promise<SelectedTransport> {
  if (requested === 'net') return { kind: 'net', tier: null, why: 'requested' };
  if (context.tls) return { kind: 'net', tier: null, why: 'TLS runs on node:tls' };
  const probe = await probeLibuvTransport();
  if (!probe.ok) {
    if (requested === 'libuv') throw new Error(`transport libuv is unavailable: ${probe.reason}`);
    return { kind: 'net', tier: null, why: `libuv unavailable: ${probe.reason}` };
  }
  const tier: LibuvTier = context.worker ? 'sockets' : probe.tier;
  const where = context.worker && probe.tier === 'handles' ? ', cluster worker' : '';
  return { kind: 'libuv', tier, why: `${TIER_NAMES[tier]}${where}, self-test ${Math.round(probe.ms)} ms` };
}

/** The startup log line's words: `libuv (tcp_wrap handles, self-test 9 ms)`. */
export function describeTransport(selected: SelectedTransport): string {
  return `${selected.kind} (${selected.why})`;
}
