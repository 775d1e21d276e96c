// Text for people: the stdout tables and the Markdown the README pastes.
import type { Contestant } from './contestants.js';
import { BASELINE, BUN, CEILING, describeTarget, type Mode } from './modes.js';
import { targetFor, type Cell, type Table, type TargetResult } from './summary.js';

/** 66123 -> "66.1k", 1480000 -> "1.48M", 412 -> "412". */
export function si(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e5 ? 0 : 1)}k`;
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

export function bytes(n: number): string {
  if (Math.abs(n) >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MiB`;
  if (Math.abs(n) >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n.toFixed(0)} B`;
}

export function value(mode: Mode, n: number): string {
  return mode.unit === 'bytes/conn' ? bytes(n) : si(n);
}

export function ratio(r: number | null): string {
  return r === null ? '—' : `${r.toFixed(2)}×`;
}

function mark(met: boolean | null): string {
  return met === null ? '?' : met ? '✓' : '✗';
}

function targetText(server: string, mode: Mode, cell: Cell): string {
  const target = targetFor(server, mode.name);
  if (target === undefined) return '';
  const r = target.against === CEILING ? cell.vsRaw : cell.vsNode;
  const met = r === null ? null : target.op === '>=' ? r >= target.ratio : r <= target.ratio;
  return `target ${describeTarget(target)} ${mark(met)}`;
}

function pad(text: string, width: number, right = false): string {
  const len = [...text].length;
  return right ? ' '.repeat(Math.max(0, width - len)) + text : text + ' '.repeat(Math.max(0, width - len));
}

/** One mode's block for stdout. */
export function modeBlock(mode: Mode, table: Table, contestants: readonly Contestant[]): string {
  const row = table[mode.name] ?? {};
  const unit = mode.unit === 'req/s' ? 'req/s' : 'RSS per idle connection';
  const lines = [`${mode.label} — ${unit}, median (min–max); ${mode.higherIsBetter ? 'higher' : 'lower'} is better`];
  lines.push(`  ${pad('server', 28)}${pad('median', 11, true)}  ${pad('min–max', 21)}${pad('×node:http', 11, true)}${pad('×raw', 8, true)}${pad('×bun', 8, true)}  notes`);
  for (const c of contestants) {
    const cell = row[c.name];
    if (cell === undefined) continue;
    const notes = [targetText(c.name, mode, cell)];
    if (cell.errors > 0) notes.push(`${cell.errors} error(s)`);
    lines.push(
      `  ${pad(c.label, 28)}${pad(value(mode, cell.median), 11, true)}  ${pad(`${value(mode, cell.min)}–${value(mode, cell.max)}`, 21)}` +
        `${pad(ratio(cell.vsNode), 11, true)}${pad(ratio(cell.vsRaw), 8, true)}${pad(ratio(cell.vsBun ?? null), 8, true)}  ${notes.filter(Boolean).join('; ')}`,
    );
  }
  return lines.join('\n');
}

export function targetsBlock(results: readonly TargetResult[], labels: ReadonlyMap<string, string>, modes: readonly Mode[]): string {
  const lines = ['Targets (issue 6)'];
  for (const r of results) {
    const mode = modes.find((m) => m.name === r.target.mode);
    if (mode === undefined) continue;
    const who = `${labels.get(r.target.server) ?? r.target.server}, ${mode.label}`;
    const noisy = r.noisy ? '   ⚠ run too noisy in this mode' : '';
    lines.push(`  ${mark(r.met)} ${pad(who, 48)} ${pad(ratio(r.ratio), 8, true)}   target ${describeTarget(r.target)}${noisy}`);
  }
  return lines.join('\n');
}

// --- Markdown ------------------------------------------------------------------------------

export interface RunInfo {
  readonly date: string;
  readonly rounds: number;
  readonly durationS: number;
  readonly placement: string;
  readonly quick: boolean;
  readonly versions: { [tool: string]: string };
  readonly skipped: { [server: string]: string };
  /** Signs the run was too noisy (a Node.js server above the raw ceiling). */
  readonly noise: readonly string[];
}

export function markdown(info: RunInfo, table: Table, modes: readonly Mode[], contestants: readonly Contestant[], targets: readonly TargetResult[]): string {
  const present = contestants.filter((c) => modes.some((m) => table[m.name]?.[c.name] !== undefined));
  const out: string[] = [];
  out.push(
    `Run of ${info.date}${info.quick ? ' (`--quick`)' : ''}: ${info.rounds} interleaved round(s), ${info.durationS} s per measurement, ${info.placement}. ` +
      `Versions: ${Object.entries(info.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
    'Each cell: **ratio to `node:http` in the same run**, then the median (req/s, or RSS bytes per idle connection) and, ' +
      `over several rounds, min–max. ${modes.some((m) => !m.higherIsBetter) ? 'RSS: lower is better; everything else: higher is better.' : 'Higher is better.'}`,
    '',
  );
  const header = (first: string): void => {
    out.push(`| ${first} | ${modes.map((m) => m.label).join(' | ')} |`);
    out.push(`|---|${modes.map(() => '---:').join('|')}|`);
  };
  header('server');
  for (const c of present) {
    const cells = modes.map((m) => {
      const cell = table[m.name]?.[c.name];
      if (cell === undefined) return '—';
      const spread = cell.n > 1 ? `<br><sub>${value(m, cell.min)}–${value(m, cell.max)}</sub>` : '';
      return `**${ratio(cell.vsNode)}**<br>${value(m, cell.median)}${spread}`;
    });
    out.push(`| ${c.name === BASELINE || c.name === CEILING ? `*${c.label}*` : c.label} | ${cells.join(' | ')} |`);
  }
  const withCeiling = modes.filter((m) => m.kind !== 'memory');
  if (withCeiling.length > 0) {
    out.push('', 'Ratio to the raw ceiling (a `node:net` server that parses nothing), same run:', '');
    out.push(`| server | ${withCeiling.map((m) => m.label).join(' | ')} |`);
    out.push(`|---|${withCeiling.map(() => '---:').join('|')}|`);
    for (const c of present) {
      if (c.name === CEILING) continue;
      out.push(`| ${c.label} | ${withCeiling.map((m) => ratio(table[m.name]?.[c.name]?.vsRaw ?? null)).join(' | ')} |`);
    }
  }
  if (present.some((c) => c.name === BUN)) {
    out.push('', 'Ratio to Bun.serve (the `bun` row), same run (RSS: lower is better):', '');
    out.push(`| server | ${modes.map((m) => m.label).join(' | ')} |`);
    out.push(`|---|${modes.map(() => '---:').join('|')}|`);
    for (const c of present) {
      if (c.name === BUN) continue;
      out.push(`| ${c.label} | ${modes.map((m) => ratio(table[m.name]?.[c.name]?.vsBun ?? null)).join(' | ')} |`);
    }
  }
  const shown = targets.filter((t) => modes.some((m) => m.name === t.target.mode));
  if (shown.length > 0) {
    out.push('', 'Targets of issue 6:', '', '| brisk | mode | target | measured | |', '|---|---|---|---:|:---:|');
    for (const t of shown) {
      const mode = modes.find((m) => m.name === t.target.mode) as Mode;
      const label = contestants.find((c) => c.name === t.target.server)?.label ?? t.target.server;
      out.push(`| ${label} | ${mode.label} | ${describeTarget(t.target)} | ${ratio(t.ratio)} | ${mark(t.met)}${t.noisy ? ' ⚠' : ''} |`);
    }
  }
  if (info.noise.length > 0) {
    out.push('', `⚠ **Too noisy to judge:** ${info.noise.join('; ')}. A Node.js server cannot beat the raw ceiling; rerun with more rounds.`);
  }
  const skipped = Object.entries(info.skipped);
  if (skipped.length > 0) out.push('', `Skipped: ${skipped.map(([s, why]) => `${s} (${why})`).join('; ')}.`);
  return `${out.join('\n')}\n`;
}
