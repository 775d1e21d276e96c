// The SVG bar chart: for each mode, one bar per server showing its ratio to node:http in the same
// run. Hand-written SVG, no dependency. The y axis is logarithmic (base 2) and bars grow from the
// 1× line, so "twice as fast" and "half as fast" look equally far from node:http.
import type { Contestant } from './contestants.js';
import type { Mode } from './modes.js';
import type { Table } from './summary.js';

const COLORS: { [server: string]: string } = {
  brisk: '#d94801',
  'brisk-fetch': '#fd8d3c',
  'brisk-router': '#fdbe85',
  'node-http': '#737373',
  fastify: '#2171b5',
  hono: '#6baed6',
  bun: '#f7c52b',
  nginx: '#238b45',
  raw: '#252525',
};
const FALLBACK = ['#807dba', '#e7298a', '#66a61e'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(r: number): string {
  return r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2);
}

function tickLabel(exp: number): string {
  return exp >= 0 ? `${2 ** exp}×` : `1/${2 ** -exp}×`;
}

export function chartSvg(table: Table, modes: readonly Mode[], contestants: readonly Contestant[], subtitle: string): string {
  const shownModes = modes.filter((m) => contestants.some((c) => table[m.name]?.[c.name]?.vsNode != null));
  const shown = contestants.filter((c) => shownModes.some((m) => table[m.name]?.[c.name]?.vsNode != null));
  const ratios = shownModes.flatMap((m) => shown.flatMap((c) => {
    const r = table[m.name]?.[c.name]?.vsNode;
    return r != null && r > 0 ? [r] : [];
  }));
  // Half a power of two of headroom at both ends keeps the value labels inside the plot.
  const lo = Math.min(-1, Math.floor(Math.log2(Math.min(1, ...ratios)) - 0.5));
  const hi = Math.max(1, Math.ceil(Math.log2(Math.max(1, ...ratios)) + 0.5));

  const barW = 14;
  const barGap = 2;
  const groupGap = 28;
  const groupW = shown.length * (barW + barGap) - barGap;
  const left = 70;
  const right = 20;
  const top = 64;
  const plotH = 380;
  // Each mode gets an equal slot, wide enough for its bars and its label, filling the width.
  const width = Math.max(760, left + right + shownModes.length * Math.max(groupW + groupGap, 130));
  const slotW = (width - left - right) / Math.max(1, shownModes.length);
  const legendCols = Math.max(1, Math.floor((width - left) / 220));
  const legendRows = Math.ceil(shown.length / legendCols);
  const height = top + plotH + 64 + legendRows * 20 + 16;
  const y = (ratio: number): number => top + ((hi - Math.log2(ratio)) / (hi - lo)) * plotH;
  const y1 = y(1);

  const s: string[] = [];
  s.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`);
  s.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  s.push(`<text x="${left}" y="26" font-size="17" font-weight="bold" fill="#222">brisk bench: each server relative to node:http in the same run</text>`);
  s.push(`<text x="${left}" y="46" font-size="12" fill="#555">${esc(subtitle)}</text>`);

  // Axis: a grid line per power of two, the 1× line darker.
  for (let e = lo; e <= hi; e++) {
    const yy = y(2 ** e).toFixed(1);
    s.push(`<line x1="${left}" x2="${width - right}" y1="${yy}" y2="${yy}" stroke="${e === 0 ? '#444' : '#e3e3e3'}" stroke-width="${e === 0 ? 1.5 : 1}"/>`);
    s.push(`<text x="${left - 8}" y="${yy}" font-size="11" fill="#444" text-anchor="end" dominant-baseline="middle">${tickLabel(e)}</text>`);
  }
  s.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#444"/>`);
  s.push(`<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" font-size="12" fill="#333" text-anchor="middle">ratio to node:http (log scale; 1× = node:http)</text>`);

  shownModes.forEach((mode, g) => {
    const x0 = left + g * slotW + (slotW - groupW) / 2;
    shown.forEach((c, k) => {
      const r = table[mode.name]?.[c.name]?.vsNode;
      if (r == null || r <= 0) return;
      const x = x0 + k * (barW + barGap);
      const yr = y(r);
      const yTop = Math.min(yr, y1);
      const h = Math.max(1, Math.abs(yr - y1));
      const color = COLORS[c.name] ?? FALLBACK[k % FALLBACK.length];
      s.push(`<rect x="${x}" y="${yTop.toFixed(1)}" width="${barW}" height="${h.toFixed(1)}" fill="${color}"><title>${esc(`${c.label}, ${mode.label}: ${fmt(r)}× node:http`)}</title></rect>`);
      const ly = r >= 1 ? yr - 4 : yr + 4;
      const anchor = r >= 1 ? 'start' : 'end';
      s.push(`<text transform="translate(${x + barW / 2 + 3} ${ly.toFixed(1)}) rotate(-90)" font-size="9" fill="#333" text-anchor="${anchor}">${fmt(r)}</text>`);
    });
    const cx = x0 + groupW / 2;
    s.push(`<text x="${cx}" y="${top + plotH + 20}" font-size="12" fill="#222" text-anchor="middle">${esc(mode.label)}</text>`);
    s.push(`<text x="${cx}" y="${top + plotH + 35}" font-size="10" fill="#666" text-anchor="middle">${mode.higherIsBetter ? 'higher is better' : 'lower is better'}</text>`);
  });

  const legendTop = top + plotH + 58;
  shown.forEach((c, k) => {
    const lx = left + (k % legendCols) * 220;
    const ly = legendTop + Math.floor(k / legendCols) * 20;
    const color = COLORS[c.name] ?? FALLBACK[k % FALLBACK.length];
    s.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${color}"/>`);
    s.push(`<text x="${lx + 18}" y="${ly + 10}" font-size="12" fill="#222">${esc(c.label)}</text>`);
  });
  s.push('</svg>');
  return `${s.join('\n')}\n`;
}
