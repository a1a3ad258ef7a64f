// The held-out results table and the gradient-check table.
import type { GradcheckReport, ResultTable } from '../protocol.js';

function cell(tag: 'td' | 'th', text: string, cls?: string): HTMLElement {
  const el = document.createElement(tag);
  el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

function headRow(columns: string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const c of columns) {
    const th = cell('th', c);
    th.setAttribute('scope', 'col');
    tr.append(th);
  }
  return tr;
}

export function drawResults(table: HTMLTableElement, caption: HTMLElement, t: ResultTable): void {
  const best = t.columns.map((_, j) => {
    const vals = t.rows.map((r) => r.values[j] as number);
    return t.higherIsBetter[j] ? Math.max(...vals) : Math.min(...vals);
  });
  const thead = document.createElement('thead');
  thead.append(headRow(['model', ...t.columns]));
  const tbody = document.createElement('tbody');
  for (const r of t.rows) {
    const tr = document.createElement('tr');
    tr.dataset.model = r.model;
    const name = cell('th', r.model);
    name.setAttribute('scope', 'row');
    const detail = document.createElement('small');
    detail.textContent = r.detail;
    name.append(document.createElement('br'), detail);
    // Fit time is not a score: only the score columns mark a best cell.
    tr.append(name, ...r.values.map((v, j) => cell('td', v.toFixed(3), t.rows.length > 1 && t.columns[j] !== 'fit time (s)' && v === best[j] ? 'best' : undefined)));
    tbody.append(tr);
  }
  table.replaceChildren(thead, tbody);
  caption.textContent = t.caption;
}

const sci = (v: number): string => v.toExponential(3);

export function drawGradcheck(table: HTMLTableElement, verdict: HTMLElement, r: GradcheckReport): void {
  const thead = document.createElement('thead');
  thead.append(headRow(['element', 'analytic (backward)', 'numeric (central difference)', 'relative error', '']));
  const tbody = document.createElement('tbody');
  for (const row of r.rows) {
    const tr = document.createElement('tr');
    tr.append(cell('td', `[${row.coords.join(', ')}]`), cell('td', sci(row.analytic)), cell('td', sci(row.numeric)), cell('td', sci(row.relError), !row.smooth ? undefined : row.relError <= r.tolerance ? 'ok' : 'bad'), cell('td', row.smooth ? '' : 'kink: not counted'));
    tr.dataset.relError = String(row.relError);
    tr.dataset.smooth = String(row.smooth);
    tbody.append(tr);
  }
  table.replaceChildren(thead, tbody);
  const counted = r.rows.filter((x) => x.smooth);
  const worst = Math.max(0, ...counted.map((x) => x.relError));
  const kinks = r.rows.length - counted.length;
  verdict.textContent =
    `${r.parameter} [${r.shape.join('×')}]: the ${r.rows.length} largest gradient entries, numeric step ${r.eps} on the float32 weight` +
    `${kinks > 0 ? ` (${kinks} at a kink, where a ReLU switches within the step, not counted)` : ''}. ` +
    `Worst relative error ${sci(worst)} — ${worst <= r.tolerance ? 'within' : 'ABOVE'} the tolerance ${r.tolerance}.`;
  verdict.dataset.worst = String(worst);
  verdict.classList.toggle('error', worst > r.tolerance);
}
