import uPlot from 'uplot';
import type { Translate } from '../feeds/protocol.js';
import type { MetricSeries } from '../schemas/metrics.js';
import { FrameBatch, h } from './dom.js';
import { onThemeChange, themeColors } from './styles.js';

/** One tag's points as uPlot wants them: steps ascending, values aligned (null: a gap). */
export interface SeriesData {
  steps: number[];
  values: (number | null)[];
}

/**
 * Puts a point in order: at the end in the usual case (steps grow), else where its step
 * belongs; a step seen again replaces its value (a resumed run logs it twice).
 */
export function mergePoint(data: SeriesData, step: number, value: number | null): void {
  const { steps, values } = data;
  const last = steps.length - 1;
  if (last < 0 || step > (steps[last] ?? 0)) {
    steps.push(step);
    values.push(value);
    return;
  }
  let low = 0;
  let high = steps.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((steps[mid] ?? 0) < step) low = mid + 1;
    else high = mid;
  }
  if (steps[low] === step) values[low] = value;
  else {
    steps.splice(low, 0, step);
    values.splice(low, 0, value);
  }
}

interface Chart {
  data: SeriesData;
  box: HTMLElement;
  caption: HTMLElement;
  plot: uPlot | null;
  dirty: boolean;
}

const HEIGHT = 160;

/** Steps are whole numbers: the step axis ticks 1, 2, 5, 10, 20, 50 … apart, never at 1.25. */
const STEP_INCREMENTS = Array.from({ length: 10 }, (_, power) => [1, 2, 5].map((m) => m * 10 ** power)).flat();

/**
 * Live metric charts, one small uPlot per tag (x: step). New points go into the arrays the
 * plot already holds and are drawn once per frame, so a chatty training costs one redraw per
 * frame, not one per point.
 */
export class MetricsChart {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly charts = new Map<string, Chart>();
  private readonly empty: HTMLElement;
  private readonly resize: ResizeObserver | null;
  private readonly frame: FrameBatch;
  private readonly stopWatchingTheme: () => void;

  constructor(parent: HTMLElement, t: Translate) {
    this.doc = parent.ownerDocument;
    this.frame = new FrameBatch(this.doc, () => this.flush());
    this.empty = h(this.doc, 'p', {
      className: 'emkit-muted',
      text: t('No metrics yet: log scalars to EM_TENSORBOARD_LOG_DIR.'),
    });
    this.element = h(this.doc, 'div', { className: 'emkit-metrics' }, [this.empty]);
    parent.appendChild(this.element);
    const View = this.doc.defaultView as (Window & typeof globalThis) | null;
    this.resize = View?.ResizeObserver ? new View.ResizeObserver(() => this.fit()) : null;
    this.resize?.observe(this.element);
    this.stopWatchingTheme = onThemeChange(this.doc, () => this.redrawAll());
  }

  get tags(): string[] {
    return [...this.charts.keys()];
  }

  /** The points of one tag, as drawn. */
  series(tag: string): SeriesData | undefined {
    return this.charts.get(tag)?.data;
  }

  setSeries(series: readonly MetricSeries[]): void {
    for (const one of series) {
      const chart = this.chart(one.tag);
      chart.data.steps.length = 0;
      chart.data.values.length = 0;
      for (const point of one.points) mergePoint(chart.data, point.step, point.value);
      chart.dirty = true;
    }
    this.schedule();
  }

  appendPoints(points: readonly { tag: string; step: number; value: number | null }[]): void {
    for (const point of points) {
      const chart = this.chart(point.tag);
      mergePoint(chart.data, point.step, point.value);
      chart.dirty = true;
    }
    this.schedule();
  }

  /** Draws what changed now rather than on the next frame. */
  flush(): void {
    this.frame.pending = false;
    for (const [tag, chart] of this.charts) if (chart.dirty) this.draw(tag, chart);
  }

  dispose(): void {
    this.resize?.disconnect();
    this.stopWatchingTheme();
    for (const chart of this.charts.values()) chart.plot?.destroy();
    this.element.remove();
  }

  /** New theme colours: each plot is made again with them. */
  private redrawAll(): void {
    for (const [tag, chart] of this.charts) {
      chart.plot?.destroy();
      chart.plot = null;
      this.draw(tag, chart);
    }
  }

  private chart(tag: string): Chart {
    let chart = this.charts.get(tag);
    if (!chart) {
      const caption = h(this.doc, 'span', { className: 'emkit-metric-last' });
      const box = h(this.doc, 'figure', { className: 'emkit-metric-chart', attrs: { 'data-tag': tag } }, [
        h(this.doc, 'figcaption', {}, [h(this.doc, 'span', { className: 'emkit-metric-tag', text: tag }), caption]),
      ]);
      // tags in name order, so loss/train and loss/val sit together
      const after = [...this.charts.keys()].sort().find((other) => other > tag);
      this.element.insertBefore(box, after ? (this.charts.get(after)?.box ?? null) : null);
      chart = { data: { steps: [], values: [] }, box, caption, plot: null, dirty: true };
      this.charts.set(tag, chart);
      this.empty.hidden = true;
    }
    return chart;
  }

  private schedule(): void {
    this.frame.schedule();
  }

  private draw(tag: string, chart: Chart): void {
    chart.dirty = false;
    const { steps, values } = chart.data;
    const last = values.length ? values[values.length - 1] : undefined;
    chart.caption.textContent =
      last === undefined ? '' : `${last === null ? 'NaN' : formatValue(last)} @ ${steps[steps.length - 1] ?? ''}`;
    const data: uPlot.AlignedData = [steps, values];
    if (chart.plot) {
      chart.plot.setData(data);
      return;
    }
    const width = this.width(chart.box);
    if (!width) {
      chart.dirty = true; // not laid out yet (a hidden tab): drawn on the next resize
      return;
    }
    const colors = themeColors(this.element);
    const axis = { stroke: colors.foreground, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
    try {
      chart.plot = new uPlot(
        {
          width,
          height: HEIGHT,
          legend: { show: false },
          cursor: { drag: { x: true, y: false } },
          scales: { x: { time: false } },
          axes: [
            { ...axis, incrs: STEP_INCREMENTS },
            { ...axis, size: 56 },
          ],
          series: [
            { label: 'step' },
            { label: tag, stroke: colors.accent, width: 1.5, spanGaps: false, points: { show: false } },
          ],
        },
        data,
        chart.box,
      );
    } catch {
      // no canvas here (a DOM without one): the caption still says the last value
      chart.plot = null;
    }
  }

  /** The chart's own box: the grid decides it, the plot follows (it never widens its box). */
  private width(box: HTMLElement): number {
    return Math.max(0, Math.floor(box.clientWidth) - 10);
  }

  private fit(): void {
    for (const [tag, chart] of this.charts) {
      const width = this.width(chart.box);
      if (!width) continue;
      if (chart.plot) chart.plot.setSize({ width, height: HEIGHT });
      else if (chart.dirty) this.draw(tag, chart);
    }
  }
}

export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? value.toExponential(3) : String(Number(value.toPrecision(5)));
}
