import uPlot from 'uplot';
import type { Translate } from '../feeds/protocol.js';
import type { ClassificationResult } from '../schemas/evaluations.js';
import { h } from './dom.js';
import { onThemeChange, themeColors } from './styles.js';

type Curves = ClassificationResult['prCurves'];

/** One colour per class, the theme's accent first. */
const PALETTE = ['#d32f2f', '#388e3c', '#f57c00', '#7b1fa2', '#0097a7', '#c2185b', '#5d4037', '#455a64'];

const HEIGHT = 240;

/**
 * The curves as uPlot's aligned columns: x is recall (ascending, every class's values),
 * one precision column per class. Where a class has several points at one recall, the
 * highest precision is kept (the interpolated curve); a class has null at the others' x.
 */
export function prColumns(curves: Curves): [number[], ...(number | null)[][]] {
  const perClass = curves.map((curve) => {
    const best = new Map<number, number>();
    for (const point of curve.points) best.set(point.recall, Math.max(best.get(point.recall) ?? 0, point.precision));
    return best;
  });
  const xs = [...new Set(perClass.flatMap((best) => [...best.keys()]))].sort((a, b) => a - b);
  return [xs, ...perClass.map((best) => xs.map((x) => best.get(x) ?? null))];
}

/** The precision–recall curve of each class (one-vs-rest), from the evaluation's thinned points. */
export class PrCurveChart {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly box: HTMLElement;
  private readonly legend: HTMLElement;
  private plot: uPlot | null = null;
  private curves: Curves = [];
  /** where each class stands at the slider's threshold: [recall, precision], null where it has none */
  private points: ([number, number] | null)[] = [];
  private readonly resize: ResizeObserver | null;
  private readonly stopWatchingTheme: () => void;

  constructor(
    parent: HTMLElement,
    private readonly t: Translate,
  ) {
    this.doc = parent.ownerDocument;
    this.box = h(this.doc, 'div', { className: 'emkit-pr-plot' });
    this.legend = h(this.doc, 'div', { className: 'emkit-pr-legend' });
    this.element = h(this.doc, 'figure', { className: 'emkit-metric-chart emkit-pr-curve' }, [
      h(this.doc, 'figcaption', {}, [h(this.doc, 'span', { className: 'emkit-metric-tag', text: t('Precision–recall curve') })]),
      this.box,
      this.legend,
    ]);
    parent.appendChild(this.element);
    const View = this.doc.defaultView as (Window & typeof globalThis) | null;
    this.resize = View?.ResizeObserver ? new View.ResizeObserver(() => this.fit()) : null;
    this.resize?.observe(this.element);
    this.stopWatchingTheme = onThemeChange(this.doc, () => this.redraw());
  }

  /** The classes drawn (tests read it). */
  get classes(): string[] {
    return this.curves.map((curve) => String(curve.class));
  }

  set(curves: Curves): void {
    this.curves = curves;
    this.points = [];
    this.legend.replaceChildren(
      ...curves.map((curve, i) =>
        h(this.doc, 'span', { className: 'emkit-pr-key', attrs: { 'data-class': String(curve.class) } }, [
          h(this.doc, 'span', { className: 'emkit-pr-swatch', attrs: { style: `background:${this.color(i)}` } }),
          h(this.doc, 'span', { text: String(curve.class) }),
        ]),
      ),
    );
    this.redraw();
  }

  /** Where each class stands at the threshold (its place on its curve), in the curves' order. */
  get marks(): readonly ([number, number] | null)[] {
    return this.points;
  }

  /** Marks each class's point at the slider's threshold, found by class: the curve shows what the table says. */
  mark(figures: readonly { class: unknown; recall: number | null; precision: number | null }[]): void {
    const byClass = new Map(figures.map((f) => [String(f.class), f]));
    this.points = this.curves.map((curve) => {
      const at = byClass.get(String(curve.class));
      return at && at.recall !== null && at.precision !== null ? [at.recall, at.precision] : null;
    });
    this.plot?.redraw(false);
  }

  /** Draws now that the box has a width (a tab shown after it was filled). */
  flush(): void {
    if (!this.plot) this.redraw();
  }

  dispose(): void {
    this.resize?.disconnect();
    this.stopWatchingTheme();
    this.plot?.destroy();
    this.element.remove();
  }

  private color(index: number): string {
    return index === 0 ? themeColors(this.element).accent : (PALETTE[(index - 1) % PALETTE.length] as string);
  }

  private redraw(): void {
    this.plot?.destroy();
    this.plot = null;
    const width = Math.max(0, Math.floor(this.box.clientWidth) - 4);
    if (!width || !this.curves.length) return;
    const colors = themeColors(this.element);
    const axis = { stroke: colors.foreground, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
    try {
      this.plot = new uPlot(
        {
          width,
          height: HEIGHT,
          legend: { show: false },
          scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] } },
          hooks: { draw: [(u) => this.drawMarks(u)] },
          axes: [
            { ...axis, label: this.t('Recall'), labelSize: 16 },
            { ...axis, label: this.t('Precision'), labelSize: 16, size: 44 },
          ],
          series: [
            { label: this.t('Recall') },
            ...this.curves.map((curve, i) => ({
              label: String(curve.class),
              stroke: this.color(i),
              width: 1.5,
              spanGaps: true,
              points: { show: false },
            })),
          ],
        },
        prColumns(this.curves) as uPlot.AlignedData,
        this.box,
      );
    } catch {
      // no canvas here: the legend still names the classes
      this.plot = null;
    }
  }

  /** A dot on each curve where the threshold puts its class, over the lines. */
  private drawMarks(u: uPlot): void {
    const ctx = u.ctx;
    const ratio = this.doc.defaultView?.devicePixelRatio ?? 1;
    this.points.forEach((point, i) => {
      if (!point) return;
      ctx.beginPath();
      ctx.arc(u.valToPos(point[0], 'x', true), u.valToPos(point[1], 'y', true), 4 * ratio, 0, 2 * Math.PI);
      ctx.fillStyle = this.color(i);
      ctx.fill();
    });
  }

  private fit(): void {
    const width = Math.max(0, Math.floor(this.box.clientWidth) - 4);
    if (!width) return;
    if (this.plot) this.plot.setSize({ width, height: HEIGHT });
    else this.redraw();
  }
}
