import uPlot from 'uplot';
import type { Translate } from '../feeds/protocol.js';
import type { StageMinute } from '../schemas/endpoints.js';
import { FrameBatch, h } from './dom.js';
import { formatValue } from './metrics-chart.js';
import { onThemeChange, themeColors } from './styles.js';

interface StageChart {
  minutes: Map<string, StageMinute>;
  box: HTMLElement;
  caption: HTMLElement;
  plot: uPlot | null;
}

const HEIGHT = 170;

/** The columns uPlot draws for one stage: minute (epoch seconds), requests, errors, p50, p99. */
export function stageColumns(
  minutes: Iterable<StageMinute>,
): [number[], number[], number[], (number | null)[], (number | null)[]] {
  const sorted = [...minutes].sort((a, b) => a.minute.localeCompare(b.minute));
  return [
    sorted.map((m) => Date.parse(m.minute) / 1000),
    sorted.map((m) => m.count),
    sorted.map((m) => m.errors),
    sorted.map((m) => m.p50),
    sorted.map((m) => m.p99),
  ];
}

/**
 * The time axis: the hour up to the newest minute with traffic (all of them when they span
 * more). Taken from the data, not uPlot's own extent, which for a single minute is 1,000 days.
 */
export function minuteRange(xs: ArrayLike<number>, now = Date.now() / 1000): [number, number] {
  const last = xs.length ? (xs[xs.length - 1] as number) : Math.floor(now / 60) * 60;
  const first = xs.length ? (xs[0] as number) : last;
  return [Math.min(first, last - 3540), last + 60];
}

/**
 * Each stage's traffic per minute: requests and errors on the left axis, p50 and p99 latency
 * on the right. A minute that arrives again (the current one, still counting) replaces itself.
 */
export class StageStatsChart {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly stages = new Map<string, StageChart>();
  private readonly names = new Map<string, string>();
  private readonly empty: HTMLElement;
  private readonly resize: ResizeObserver | null;
  private readonly frame: FrameBatch;
  private readonly stopWatchingTheme: () => void;

  constructor(
    parent: HTMLElement,
    private readonly t: Translate,
  ) {
    this.doc = parent.ownerDocument;
    this.frame = new FrameBatch(this.doc, () => this.flush());
    this.empty = h(this.doc, 'p', { className: 'emkit-muted', text: t('No requests in the last hour.') });
    this.element = h(this.doc, 'div', { className: 'emkit-metrics emkit-stats' }, [this.empty]);
    parent.appendChild(this.element);
    const View = this.doc.defaultView as (Window & typeof globalThis) | null;
    this.resize = View?.ResizeObserver ? new View.ResizeObserver(() => this.fit()) : null;
    this.resize?.observe(this.element);
    this.stopWatchingTheme = onThemeChange(this.doc, () => {
      for (const chart of this.stages.values()) {
        chart.plot?.destroy();
        chart.plot = null;
        this.draw(chart);
      }
    });
  }

  setMinutes(minutes: readonly StageMinute[]): void {
    for (const chart of this.stages.values()) chart.minutes.clear();
    this.addMinutes(minutes);
  }

  addMinutes(minutes: readonly StageMinute[]): void {
    for (const minute of minutes) {
      this.names.set(minute.stageId, minute.stage);
      this.chart(minute.stageId).minutes.set(minute.minute, minute);
    }
    this.schedule();
  }

  /** The requests counted for a stage over the minutes held. */
  total(stageId: string): number {
    return [...(this.stages.get(stageId)?.minutes.values() ?? [])].reduce((sum, m) => sum + m.count, 0);
  }

  flush(): void {
    this.frame.pending = false;
    for (const chart of this.stages.values()) this.draw(chart);
  }

  dispose(): void {
    this.resize?.disconnect();
    this.stopWatchingTheme();
    for (const chart of this.stages.values()) chart.plot?.destroy();
    this.element.remove();
  }

  private chart(stageId: string): StageChart {
    let chart = this.stages.get(stageId);
    if (!chart) {
      const caption = h(this.doc, 'span', { className: 'emkit-metric-last' });
      const box = h(
        this.doc,
        'figure',
        { className: 'emkit-metric-chart emkit-stage-chart', attrs: { 'data-stage-id': stageId } },
        [
          h(this.doc, 'figcaption', {}, [
            h(this.doc, 'span', { className: 'emkit-metric-tag', text: this.names.get(stageId) ?? stageId }),
            caption,
          ]),
        ],
      );
      this.element.appendChild(box);
      chart = { minutes: new Map(), box, caption, plot: null };
      this.stages.set(stageId, chart);
      this.empty.hidden = true;
    }
    return chart;
  }

  private schedule(): void {
    this.frame.schedule();
  }

  private draw(chart: StageChart): void {
    const columns = stageColumns(chart.minutes.values());
    const requests = columns[1].reduce((a, b) => a + b, 0);
    const errors = columns[2].reduce((a, b) => a + b, 0);
    const p99 = columns[4].filter((v): v is number => v !== null);
    chart.caption.textContent = `${this.t('Requests')} ${requests} · ${this.t('Errors')} ${errors}${
      p99.length ? ` · p99 ${formatValue(p99[p99.length - 1] ?? 0)} ms` : ''
    }`;
    if (chart.plot) {
      chart.plot.setData(columns);
      return;
    }
    const width = Math.max(0, Math.floor(chart.box.clientWidth) - 10);
    if (!width) return;
    const colors = themeColors(this.element);
    const axis = { stroke: colors.foreground, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
    try {
      chart.plot = new uPlot(
        {
          width,
          height: HEIGHT,
          legend: { show: true, live: false },
          scales: {
            // the last hour, however few minutes have traffic
            x: { time: true, range: (u) => minuteRange(u.data[0] as number[]) },
            n: { auto: true, range: (_u, _min, max) => [0, Math.max(1, max)] },
            ms: { auto: true },
          },
          axes: [
            axis,
            { ...axis, scale: 'n', label: this.t('Requests per minute'), size: 50 },
            { ...axis, scale: 'ms', side: 1, label: this.t('Latency (ms)'), size: 50, grid: { show: false } },
          ],
          series: [
            {},
            { label: this.t('Requests'), scale: 'n', stroke: colors.accent, width: 1.5, points: { show: true, size: 4 } },
            { label: this.t('Errors'), scale: 'n', stroke: colors.failed, width: 1.5, points: { show: true, size: 4 } },
            { label: 'p50', scale: 'ms', stroke: colors.foreground, width: 1, dash: [4, 3] },
            { label: 'p99', scale: 'ms', stroke: colors.busy, width: 1, dash: [4, 3] },
          ],
        },
        columns,
        chart.box,
      );
    } catch {
      chart.plot = null; // no canvas in this DOM: the caption still has the totals
    }
  }

  private fit(): void {
    for (const chart of this.stages.values()) {
      const width = Math.max(0, Math.floor(chart.box.clientWidth) - 10);
      if (!width) continue;
      if (chart.plot) chart.plot.setSize({ width, height: HEIGHT });
      else this.draw(chart);
    }
  }
}
