// Weight and gradient histograms of one layer at one epoch, drawn as SVG bars side by side; the
// page keeps every epoch's histograms so the slider can go back in time.
import type { Histogram } from '../../src/index.js';
import type { LayerHistograms } from '../protocol.js';
import { svg } from './svg.js';

const W = 300;
const H = 130;
const PAD = 18;

const fmt = (v: number): string => (v === 0 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toPrecision(2) : v.toExponential(1));

function bars(title: string, h: Histogram | null, cls: string): SVGSVGElement {
  const root = svg('svg', { viewBox: `0 0 ${W} ${H + PAD * 2}`, class: `histogram ${cls}`, role: 'img', 'aria-label': title });
  root.append(svg('text', { x: 4, y: 12, class: 'hist-title' }, title));
  if (h === null || h.counts.length === 0) {
    root.append(svg('text', { x: 4, y: H / 2, class: 'hist-axis' }, 'no gradient reached this layer'));
    return root;
  }
  const max = Math.max(1, ...h.counts);
  const bw = W / h.counts.length;
  h.counts.forEach((c, i) => {
    const bh = (c / max) * (H - 4);
    root.append(svg('rect', { x: i * bw + 0.5, y: PAD + H - bh, width: Math.max(1, bw - 1), height: bh, class: 'bar' }));
  });
  root.append(svg('text', { x: 2, y: PAD * 2 + H - 4, class: 'hist-axis' }, fmt(h.edges[0] as number)));
  root.append(svg('text', { x: W - 2, y: PAD * 2 + H - 4, class: 'hist-axis end' }, fmt(h.edges.at(-1) as number)));
  return root;
}

/** Draws `layer` of `epochs[epoch - 1]` into `host`. */
export function drawHistograms(host: HTMLElement, epochs: LayerHistograms[][], layer: number, epoch: number): void {
  const entry = epochs[epoch - 1]?.[layer];
  if (entry === undefined) {
    host.replaceChildren();
    return;
  }
  host.replaceChildren(bars(`weights, epoch ${epoch}`, entry.weight, 'weights'), bars(`gradient (last batch), epoch ${epoch}`, entry.grad, 'grads'));
  host.dataset.epoch = String(epoch);
}
