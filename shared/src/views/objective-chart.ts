import uPlot from 'uplot';
import type { TuningTrial } from '../schemas/tunings.js';
import { FrameBatch, h } from './dom.js';
import { onThemeChange, themeColors } from './styles.js';

const HEIGHT = 180;

/** The objective of each scored trial by trial number, and the best so far at each (a step line). */
export function objectiveSeries(
  trials: readonly TuningTrial[],
  mode: 'min' | 'max',
): { numbers: number[]; values: number[]; best: number[] } {
  const scored = trials.filter((t) => t.value !== null).sort((a, b) => a.number - b.number);
  const numbers: number[] = [];
  const values: number[] = [];
  const best: number[] = [];
  for (const trial of scored) {
    const value = trial.value as number;
    const previous = best[best.length - 1];
    numbers.push(trial.number);
    values.push(value);
    best.push(previous === undefined ? value : mode === 'min' ? Math.min(previous, value) : Math.max(previous, value));
  }
  return { numbers, values, best };
}

/**
 * The objective over trials: each scored trial a point, the best so far a line, so a search
 * that keeps finding better trials shows it. One uPlot, redrawn once per frame however many
 * trials arrive.
 */
export class ObjectiveChart {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly empty: HTMLElement;
  private readonly frame: FrameBatch;
  private readonly resize: ResizeObserver | null;
  private readonly stopWatchingTheme: () => void;
  private plot: uPlot | null = null;
  private data: uPlot.AlignedData = [[], [], []];
  private labels: [string, string] = ['', ''];

  constructor(parent: HTMLElement, emptyText: string) {
    this.doc = parent.ownerDocument;
    this.empty = h(this.doc, 'p', { className: 'emkit-muted', text: emptyText });
    this.element = h(this.doc, 'figure', { className: 'emkit-metric-chart emkit-objective-chart' }, [this.empty]);
    parent.appendChild(this.element);
    this.frame = new FrameBatch(this.doc, () => this.flush());
    const View = this.doc.defaultView as (Window & typeof globalThis) | null;
    this.resize = View?.ResizeObserver ? new View.ResizeObserver(() => this.fit()) : null;
    this.resize?.observe(this.element);
    this.stopWatchingTheme = onThemeChange(this.doc, () => {
      this.plot?.destroy();
      this.plot = null;
      this.frame.schedule();
    });
  }

  /** `labels`: the objective's and the best-so-far series' names, as the legend says them. */
  set(trials: readonly TuningTrial[], mode: 'min' | 'max', labels: [string, string]): void {
    const { numbers, values, best } = objectiveSeries(trials, mode);
    this.data = [numbers, values, best];
    this.labels = labels;
    this.empty.hidden = numbers.length > 0;
    this.frame.schedule();
  }

  /** The points drawn: trial numbers, their values, the best so far. */
  get shown(): uPlot.AlignedData {
    return this.data;
  }

  flush(): void {
    this.frame.pending = false;
    if (!(this.data[0] as number[]).length) return;
    if (this.plot) {
      this.plot.setData(this.data);
      return;
    }
    const width = Math.max(0, Math.floor(this.element.clientWidth) - 10);
    if (!width) return; // not laid out yet: drawn on the next resize
    const colors = themeColors(this.element);
    const axis = { stroke: colors.foreground, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
    try {
      this.plot = new uPlot(
        {
          width,
          height: HEIGHT,
          legend: { show: true },
          scales: { x: { time: false } },
          axes: [
            { ...axis, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
            { ...axis, size: 56 },
          ],
          series: [
            { label: '#' },
            { label: this.labels[0], stroke: colors.accent, width: 0, points: { show: true, size: 6, fill: colors.accent } },
            { label: this.labels[1], stroke: colors.ok, width: 1.5, points: { show: false } },
          ],
        },
        this.data,
        this.element,
      );
    } catch {
      // no canvas here (a DOM without one): the trials table still has every value
      this.plot = null;
    }
  }

  dispose(): void {
    this.resize?.disconnect();
    this.stopWatchingTheme();
    this.plot?.destroy();
    this.element.remove();
  }

  private fit(): void {
    const width = Math.max(0, Math.floor(this.element.clientWidth) - 10);
    if (!width) return;
    if (this.plot) this.plot.setSize({ width, height: HEIGHT });
    else this.frame.schedule();
  }
}
