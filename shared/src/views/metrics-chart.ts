import uPlot from 'uplot';
import type { Translate } from '../feeds/protocol.js';
import { pairMetricTags } from '../quality/pairs.js';
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
  /** one tag, or a pair's training tag then its validation tag */
  tags: string[];
  box: HTMLElement;
  caption: HTMLElement;
  flag: HTMLElement;
  plot: uPlot | null;
  dirty: boolean;
}

const HEIGHT = 160;

/** Steps are whole numbers: the step axis ticks 1, 2, 5, 10, 20, 50 … apart, never at 1.25. */
const STEP_INCREMENTS = Array.from({ length: 10 }, (_, power) => [1, 2, 5].map((m) => m * 10 ** power)).flat();

/**
 * Several series on one step axis, as uPlot wants them: the union of their steps, each
 * series' values at those steps (null where it has no point, so a sparser validation series
 * is drawn across the gaps).
 */
export function alignSeries(series: readonly SeriesData[]): uPlot.AlignedData {
  if (series.length === 1) {
    const only = series[0] as SeriesData;
    return [only.steps, only.values];
  }
  const steps = [...new Set(series.flatMap((s) => s.steps))].sort((a, b) => a - b);
  const index = new Map(steps.map((step, i) => [step, i]));
  const columns = series.map((s) => {
    const values: (number | null)[] = new Array(steps.length).fill(null);
    s.steps.forEach((step, i) => {
      values[index.get(step) as number] = s.values[i] ?? null;
    });
    return values;
  });
  return [steps, ...columns];
}

/**
 * Live metric charts, one small uPlot per tag (x: step), except that a training and a
 * validation series of the same metric (`loss` and `val_loss`, `train/loss` and `val/loss`:
 * pairMetricTags) share one chart. New points go into the arrays the plot already holds and
 * are drawn once per frame, so a chatty training costs one redraw per frame, not one per point.
 */
export class MetricsChart {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly t: Translate;
  private readonly data = new Map<string, SeriesData>();
  /** by chart key: the tag, or the pair's metric */
  private readonly charts = new Map<string, Chart>();
  private readonly empty: HTMLElement;
  private readonly resize: ResizeObserver | null;
  private readonly frame: FrameBatch;
  private readonly stopWatchingTheme: () => void;
  private flags = new Map<string, string>();

  constructor(parent: HTMLElement, t: Translate) {
    this.doc = parent.ownerDocument;
    this.t = t;
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
    return [...this.data.keys()];
  }

  /** The tags of each chart, in the order shown: a pair is [training, validation]. */
  get chartTags(): string[][] {
    return [...this.charts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, chart]) => chart.tags);
  }

  /** The points of one tag, as drawn. */
  series(tag: string): SeriesData | undefined {
    return this.data.get(tag);
  }

  setSeries(series: readonly MetricSeries[]): void {
    for (const one of series) {
      const data = this.seriesData(one.tag);
      data.steps.length = 0;
      data.values.length = 0;
      for (const point of one.points) mergePoint(data, point.step, point.value);
      this.touch(one.tag);
    }
    this.arrange();
    this.schedule();
  }

  appendPoints(points: readonly { tag: string; step: number; value: number | null }[]): void {
    for (const point of points) {
      mergePoint(this.seriesData(point.tag), point.step, point.value);
      this.touch(point.tag);
    }
    this.arrange();
    this.schedule();
  }

  /** Marks the charts the analysis flagged: tag → what to say (a pair's chart is found by either of its tags). */
  setFlags(flags: ReadonlyMap<string, string>): void {
    this.flags = new Map(flags);
    for (const chart of this.charts.values()) this.showFlag(chart);
  }

  /** Draws what changed now rather than on the next frame. */
  flush(): void {
    this.frame.pending = false;
    for (const chart of this.charts.values()) if (chart.dirty) this.draw(chart);
  }

  dispose(): void {
    this.resize?.disconnect();
    this.stopWatchingTheme();
    for (const chart of this.charts.values()) chart.plot?.destroy();
    this.element.remove();
  }

  /** New theme colours: each plot is made again with them. */
  private redrawAll(): void {
    for (const chart of this.charts.values()) {
      chart.plot?.destroy();
      chart.plot = null;
      this.draw(chart);
    }
  }

  private seriesData(tag: string): SeriesData {
    let data = this.data.get(tag);
    if (!data) {
      data = { steps: [], values: [] };
      this.data.set(tag, data);
    }
    return data;
  }

  private touch(tag: string): void {
    for (const chart of this.charts.values()) if (chart.tags.includes(tag)) chart.dirty = true;
  }

  /**
   * One chart per pair and per tag left over, in name order so loss/train and loss/val sit
   * together. A tag whose pair appears later (val_loss arriving after loss) moves into the
   * pair's chart.
   */
  private arrange(): void {
    const wanted = new Map<string, string[]>();
    const paired = new Set<string>();
    for (const pair of pairMetricTags(this.tags)) {
      wanted.set(`${pair.metric}\u0000pair`, [pair.train, pair.validation]);
      paired.add(pair.train).add(pair.validation);
    }
    for (const tag of this.data.keys()) if (!paired.has(tag)) wanted.set(tag, [tag]);
    for (const [key, chart] of this.charts) {
      if (wanted.get(key)?.join('\u0000') === chart.tags.join('\u0000')) continue;
      chart.plot?.destroy();
      chart.box.remove();
      this.charts.delete(key);
    }
    for (const [key, tags] of wanted) if (!this.charts.has(key)) this.createChart(key, tags);
    this.empty.hidden = this.charts.size > 0;
  }

  private createChart(key: string, tags: string[]): void {
    const caption = h(this.doc, 'span', { className: 'emkit-metric-last' });
    const flag = h(this.doc, 'p', { className: 'emkit-metric-flag' });
    flag.hidden = true;
    const title = tags.length === 2 ? (key.split('\u0000')[0] ?? key) : key;
    const box = h(
      this.doc,
      'figure',
      { className: `emkit-metric-chart${tags.length === 2 ? ' emkit-metric-pair' : ''}`, attrs: { 'data-tag': title } },
      [h(this.doc, 'figcaption', {}, [h(this.doc, 'span', { className: 'emkit-metric-tag', text: title }), caption]), flag],
    );
    const after = [...this.charts.keys()].sort().find((other) => other > key);
    this.element.insertBefore(box, after ? (this.charts.get(after)?.box ?? null) : null);
    const chart: Chart = { tags, box, caption, flag, plot: null, dirty: true };
    this.charts.set(key, chart);
    this.showFlag(chart);
  }

  private showFlag(chart: Chart): void {
    const text = chart.tags.map((tag) => this.flags.get(tag)).find(Boolean) ?? '';
    chart.flag.textContent = text;
    chart.flag.hidden = !text;
    chart.box.classList.toggle('emkit-flagged', Boolean(text));
  }

  private schedule(): void {
    this.frame.schedule();
  }

  private lastText(tag: string): string {
    const { steps, values } = this.seriesData(tag);
    if (!values.length) return '';
    const last = values[values.length - 1] ?? null;
    return `${last === null ? 'NaN' : formatValue(last)} @ ${steps[steps.length - 1] ?? ''}`;
  }

  private draw(chart: Chart): void {
    chart.dirty = false;
    const pair = chart.tags.length === 2;
    const colors = themeColors(this.element);
    const strokes = [colors.accent, colors.busy];
    if (pair) {
      const roles = [this.t('training'), this.t('validation')];
      chart.caption.replaceChildren(
        ...chart.tags.map((tag, i) =>
          h(this.doc, 'span', { className: 'emkit-metric-series', title: tag }, [
            // a class, not a style attribute: VS Code's webview policy allows no inline style
            h(this.doc, 'span', { className: `emkit-swatch emkit-swatch-${i}` }),
            this.doc.createTextNode(`${roles[i]} ${this.lastText(tag)} `),
          ]),
        ),
      );
    } else chart.caption.textContent = this.lastText(chart.tags[0] as string);
    const data = alignSeries(chart.tags.map((tag) => this.seriesData(tag)));
    if (chart.plot) {
      chart.plot.setData(data);
      return;
    }
    const width = this.width(chart.box);
    if (!width) {
      chart.dirty = true; // not laid out yet (a hidden tab): drawn on the next resize
      return;
    }
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
            ...chart.tags.map((tag, i) => ({
              label: tag,
              stroke: strokes[i],
              width: 1.5,
              // a pair's series have points at different steps: drawn across the other's steps, not broken
              spanGaps: pair,
              points: { show: false },
            })),
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
    for (const chart of this.charts.values()) {
      const width = this.width(chart.box);
      if (!width) continue;
      if (chart.plot) chart.plot.setSize({ width, height: HEIGHT });
      else if (chart.dirty) this.draw(chart);
    }
  }
}

export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? value.toExponential(3) : String(Number(value.toPrecision(5)));
}
