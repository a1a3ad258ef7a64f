// The command line's HTML reports: one self-contained file (no network), uPlot's script and
// stylesheet inlined, the data as JSON in the page, tables as plain HTML. A report is a spec
// (title, key figures, tables, charts) so that every command describes what it shows and this
// file alone knows how to draw it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ChartSeries {
  label: string;
  values: ArrayLike<number>;
}

export interface ChartSpec {
  title: string;
  /** 'line' (default), 'bars', or 'steps' (a step function, e.g. a cumulative distribution). */
  kind?: 'line' | 'bars' | 'steps';
  x: ArrayLike<number>;
  /** Category names for bar charts (shown instead of x values). */
  xNames?: string[];
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** A dashed reference line from (x0, y0) to (x1, y1): the diagonal of a ROC chart, say. */
  reference?: [number, number, number, number];
}

export interface TableSpec {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

export interface ReportSpec {
  title: string;
  subtitle?: string;
  /** Key figures shown at the top. */
  figures?: Array<[string, string | number]>;
  tables?: TableSpec[];
  charts?: ChartSpec[];
  notes?: string[];
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function cell(v: string | number): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number.isFinite(v) ? v.toFixed(4) : String(v);
  return escapeHtml(v);
}

function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return { js: readFileSync(join(dir, 'uPlot.iife.min.js'), 'utf8'), css: readFileSync(join(dir, 'uPlot.min.css'), 'utf8') };
}

// Draws every chart of window.REPORT with uPlot; runs in the page.
const DRAW = `
(function () {
  var spec = JSON.parse(document.getElementById('report-data').textContent);
  var colors = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
  spec.charts.forEach(function (c, i) {
    var host = document.getElementById('chart-' + i);
    var data = [Array.from(c.x)];
    var series = [{ label: c.xLabel }];
    c.series.forEach(function (s, k) {
      data.push(Array.from(s.values));
      var opts = { label: s.label, stroke: colors[k % colors.length], width: 2 };
      if (c.kind === 'bars') { opts.fill = colors[k % colors.length] + '99'; opts.paths = uPlot.paths.bars({ size: [0.8 / c.series.length, 60], align: 0 }); opts.points = { show: false }; }
      if (c.kind === 'steps') { opts.paths = uPlot.paths.stepped({ align: 1 }); }
      series.push(opts);
    });
    if (c.reference) {
      var r = c.reference, xs = data[0], ref = xs.map(function (x) { return r[1] + (r[3] - r[1]) * (x - r[0]) / ((r[2] - r[0]) || 1); });
      data.push(ref);
      series.push({ label: 'reference', stroke: '#999', dash: [6, 4], width: 1, points: { show: false } });
    }
    var xAxis = { label: c.xLabel };
    if (c.xNames) xAxis.values = function (u, ticks) { return ticks.map(function (t) { return c.xNames[Math.round(t)] || ''; }); };
    var xScale = { time: false };
    // Bars are centred on their x: pad the range by half a step so the first and last show whole.
    if (c.kind === 'bars' && data[0].length > 1) {
      var step = (data[0][data[0].length - 1] - data[0][0]) / (data[0].length - 1);
      xScale.range = [data[0][0] - step / 2, data[0][data[0].length - 1] + step / 2];
    }
    var plot = new uPlot({ width: 520, height: 320, title: c.title, scales: { x: xScale }, series: series, axes: [xAxis, { label: c.yLabel }] }, data, host);
    host.setAttribute('data-rendered', plot.series.length);
  });
  document.body.setAttribute('data-charts-rendered', String(spec.charts.length));
})();`;

/** The report as one HTML document. */
export function renderReport(spec: ReportSpec): string {
  const { js, css } = uplotAssets();
  const charts = spec.charts ?? [];
  const data = JSON.stringify({ charts: charts.map((c) => ({ ...c, x: Array.from(c.x), series: c.series.map((s) => ({ label: s.label, values: Array.from(s.values, (v) => (Number.isFinite(v) ? v : null)) })) })) })
    // A JSON string inside <script> must not close the element.
    .replace(/</g, '\\u003c');
  const figures = (spec.figures ?? []).map(([k, v]) => `<div class="figure"><div class="k">${escapeHtml(k)}</div><div class="v">${cell(v)}</div></div>`).join('');
  const tables = (spec.tables ?? [])
    .map((t) => `<h2>${escapeHtml(t.title)}</h2><table><thead><tr>${t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${t.rows.map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`).join('')}</tbody></table>`)
    .join('\n');
  const notes = (spec.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(spec.title)}</title>
<style>${css}
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1120px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}.sub{color:#666;margin-bottom:16px}
.figures{display:flex;flex-wrap:wrap;gap:12px}.figure{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:110px}
.figure .k{color:#666;font-size:12px}.figure .v{font-size:18px;font-weight:600}
table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:4px 10px;text-align:right}th:first-child,td:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:16px}.note{color:#555}</style></head>
<body><h1>${escapeHtml(spec.title)}</h1>${spec.subtitle ? `<div class="sub">${escapeHtml(spec.subtitle)}</div>` : ''}
<div class="figures">${figures}</div>
${tables}
<div class="charts">${charts.map((_, i) => `<div id="chart-${i}" class="chart"></div>`).join('')}</div>
${notes}
<script id="report-data" type="application/json">${data}</script>
<script>${js}</script>
<script>${DRAW}</script>
</body></html>
`;
}
