// uPlot line charts of the page. Each chart's host element carries `data-points` (x values
// drawn), which the browser test reads to see a chart update.
import uPlot from 'uplot';

const CHART_HEIGHT = 220;

export const COLORS = ['#2563eb', '#ea580c', '#16a34a', '#7c3aed', '#0891b2', '#db2777', '#ca8a04', '#475569'];
export const CHANCE = '#9ca3af';

export interface SeriesSpec {
  label: string;
  stroke: string;
  dash?: number[];
}

export interface ChartOptions {
  x: string;
  y: string;
  logY?: boolean;
  /** Both axes on [0, 1]. */
  unit?: boolean;
  /** y on [0, 1] (shares). */
  unitY?: boolean;
  /** Points without lines. */
  points?: boolean;
}

const resizeObservers = new WeakMap<uPlot, ResizeObserver>();

function tickLabel(v: number | null): string {
  if (v === null) return '';
  return v >= 0.01 && v < 1000 ? String(Number(v.toPrecision(2))) : v.toExponential(0);
}

/**
 * Log-scale range: a margin of a factor 1.5 around data within a decade or so; whole decades
 * beyond (uPlot's log-axis ticks start from the range's minimum and stall on one that is not a
 * power of 10 when the data spans several decades, as vanishing gradients do).
 */
function logRange(_u: uPlot, min: number, max: number): uPlot.Range.MinMax {
  if (!(min > 0 && max > 0)) return [1e-8, 1];
  if (max / min < 20) return [min / 1.5, max * 1.5];
  return [10 ** Math.floor(Math.log10(min)), 10 ** Math.ceil(Math.log10(max))];
}

export function lineChart(host: HTMLElement, series: SeriesSpec[], options: ChartOptions): uPlot {
  host.replaceChildren();
  host.dataset.points = '0';
  const axis = { stroke: '#4b5563', grid: { stroke: '#e5e7eb', width: 1 }, ticks: { stroke: '#d1d5db', width: 1 } };
  const y: uPlot.Scale = options.logY
    ? { distr: 3, range: logRange }
    : options.unit || options.unitY
      ? { range: [0, 1] }
      : {};
  const chart = new uPlot(
    {
      width: Math.max(200, host.clientWidth),
      height: CHART_HEIGHT,
      scales: { x: options.unit ? { time: false, range: [0, 1] } : { time: false }, y },
      axes: [
        // Epochs are whole numbers: no ticks at 1.5.
        { ...axis, label: options.x, ...(options.x === 'epoch' ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500] } : {}) },
        // uPlot's default tick labels round 1e-4 to "0": log axes get exponents.
        { ...axis, label: options.y, size: 56, ...(options.logY ? { values: (_u: uPlot, splits: number[]) => splits.map(tickLabel) } : {}) },
      ],
      series: [
        { label: options.x },
        ...series.map((s) =>
          options.points
            ? { label: s.label, stroke: s.stroke, fill: s.stroke, paths: () => null, points: { show: true, size: 4, fill: s.stroke } }
            : { label: s.label, stroke: s.stroke, width: 2, ...(s.dash ? { dash: s.dash } : {}), points: { show: false } },
        ),
      ],
      cursor: { drag: { x: false, y: false } },
      legend: { live: false },
    },
    [[], ...series.map(() => [])],
    host,
  );
  const observer = new ResizeObserver(() => {
    if (host.clientWidth > 0 && host.clientWidth !== chart.width) chart.setSize({ width: host.clientWidth, height: CHART_HEIGHT });
  });
  observer.observe(host);
  resizeObservers.set(chart, observer);
  return chart;
}

/** Redraws `chart` with [xs, ...series] and records the point count on its host. */
export function setChartData(chart: uPlot, data: Array<ArrayLike<number | null>>): void {
  chart.setData(data as uPlot.AlignedData);
  (chart.root.parentElement as HTMLElement).dataset.points = String(data[0]?.length ?? 0);
}

export function destroyChart(chart: uPlot | null | undefined): void {
  if (!chart) return;
  resizeObservers.get(chart)?.disconnect();
  chart.destroy();
}
