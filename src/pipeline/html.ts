/**
 * Helpers of the self-contained HTML reports (`datasetReportHtml`, `restorationReportHtml`): escaping, base64 for
 * data URIs, inline SVG charts. Internal: not exported from the package. Plain strings only.
 */
import { encodePng } from '../image/png.js';
import type { Image } from '../image/types.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of bytes (for data URIs; no Buffer or btoa needed). */
export function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return out;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An inline SVG bar chart of `counts`, with the x labels of the first and last bar and the largest count. */
export function svgBars(
  counts: readonly number[],
  options: { title: string; first: string; last: string; color?: (i: number) => string },
): string {
  const width = 640;
  const height = 200;
  const left = 48;
  const bottom = 24;
  const top = 24;
  const max = Math.max(1, ...counts);
  const bw = (width - left - 8) / Math.max(1, counts.length);
  const bars = counts
    .map((c, i) => {
      if (c <= 0) return '';
      const h = ((height - top - bottom) * c) / max;
      const x = left + i * bw;
      return `<rect x="${x.toFixed(2)}" y="${(height - bottom - h).toFixed(2)}" width="${Math.max(0.5, bw - 0.5).toFixed(2)}" height="${h.toFixed(2)}" fill="${options.color?.(i) ?? '#1f77b4'}"/>`;
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="sans-serif" font-size="11">` +
    `<text x="${left}" y="14" font-weight="bold">${escapeHtml(options.title)}</text>` +
    `<line x1="${left}" y1="${height - bottom}" x2="${width - 8}" y2="${height - bottom}" stroke="#888"/>` +
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#888"/>` +
    `<text x="${left - 4}" y="${top + 8}" text-anchor="end">${max}</text>` +
    `<text x="${left - 4}" y="${height - bottom}" text-anchor="end">0</text>` +
    bars +
    `<text x="${left}" y="${height - 8}">${escapeHtml(options.first)}</text>` +
    `<text x="${width - 8}" y="${height - 8}" text-anchor="end">${escapeHtml(options.last)}</text>` +
    `</svg>`
  );
}

/** A `data:image/png;base64,...` URI of an image. */
export function pngDataUri(image: Image): string {
  return `data:image/png;base64,${base64(encodePng(image))}`;
}

/** An HTML table; every cell is escaped. */
export function htmlTable(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return (
    `<table><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('') +
    `</table>`
  );
}

/** A whole HTML page around `body` (already HTML), with the reports' shared style. */
export function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}svg{display:block;margin:.5em 0}
figure{margin:1em 0}figcaption{font-size:90%;color:#333}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}</body></html>
`;
}

/** One line of {@link svgLines}: values at x = 1, 2, 3, ... (non-finite values break the line). */
export interface SvgSeries {
  label: string;
  values: readonly number[];
  color: string;
  /** Draw a dot at each value (for short series such as per-epoch scores). */
  dots?: boolean;
}

/**
 * An inline SVG line chart: the series share the x axis (index) and the y range (log10 when `logScale` and every
 * value is positive), with a legend, the y range's ends and an optional marked x (e.g. the best epoch).
 */
export function svgLines(
  series: readonly SvgSeries[],
  options: { title: string; xLabel: string; logScale?: boolean; mark?: { x: number; label: string } },
): string {
  const width = 640;
  const height = 240;
  const left = 56;
  const right = 12;
  const top = 40;
  const bottom = 28;
  const all = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
  const log = (options.logScale ?? false) && all.length > 0 && all.every((v) => v > 0);
  const f = (v: number) => (log ? Math.log10(v) : v);
  let lo = all.length ? Math.min(...all.map(f)) : 0;
  let hi = all.length ? Math.max(...all.map(f)) : 1;
  if (hi - lo < 1e-12) {
    lo -= 0.5;
    hi += 0.5;
  }
  const n = Math.max(2, ...series.map((s) => s.values.length));
  const x = (i: number) => left + (i / (n - 1)) * (width - left - right);
  const y = (v: number) => height - bottom - ((f(v) - lo) / (hi - lo)) * (height - top - bottom);
  const fmt = (v: number) => (Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(3) : v.toExponential(1));
  const lines = series
    .map((s) => {
      const segments: string[] = [];
      let current: string[] = [];
      s.values.forEach((v, i) => {
        if (!Number.isFinite(v) || (log && v <= 0)) {
          if (current.length) segments.push(current.join(' '));
          current = [];
        } else current.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      });
      if (current.length) segments.push(current.join(' '));
      const dots = s.dots
        ? s.values
            .map((v, i) =>
              Number.isFinite(v) && !(log && v <= 0)
                ? `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${s.color}"/>`
                : '',
            )
            .join('')
        : '';
      return (
        segments
          .map((p) => `<polyline points="${p}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`)
          .join('') + dots
      );
    })
    .join('');
  const legend = series
    .map(
      (s, k) => `<text x="${left + k * 170}" y="30" fill="${s.color}">&#9632; ${escapeHtml(s.label)}</text>`,
    )
    .join('');
  const mark = options.mark
    ? `<line x1="${x(options.mark.x).toFixed(1)}" y1="${top}" x2="${x(options.mark.x).toFixed(1)}" ` +
      `y2="${height - bottom}" stroke="#888" stroke-dasharray="4 3"/>` +
      `<text x="${(x(options.mark.x) + 3).toFixed(1)}" y="${top + 10}" fill="#555">${escapeHtml(options.mark.label)}</text>`
    : '';
  const yMax = log ? 10 ** hi : hi;
  const yMin = log ? 10 ** lo : lo;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="sans-serif" font-size="11">` +
    `<text x="${left}" y="14" font-weight="bold">${escapeHtml(options.title)}${log ? ' (log scale)' : ''}</text>` +
    legend +
    `<rect x="${left}" y="${top}" width="${width - left - right}" height="${height - top - bottom}" fill="none" stroke="#888"/>` +
    `<text x="${left - 4}" y="${top + 8}" text-anchor="end">${fmt(yMax)}</text>` +
    `<text x="${left - 4}" y="${height - bottom}" text-anchor="end">${fmt(yMin)}</text>` +
    mark +
    lines +
    `<text x="${left}" y="${height - 8}">1</text>` +
    `<text x="${width - right}" y="${height - 8}" text-anchor="end">${escapeHtml(options.xLabel)} ${Math.max(1, ...series.map((s) => s.values.length))}</text>` +
    `</svg>`
  );
}
