import type { ParameterSpec, ParameterValue, SearchSpace, TuningTrial } from '../schemas/tunings.js';
import { h } from './dom.js';
import { formatValue } from './metrics-chart.js';

const SVG = 'http://www.w3.org/2000/svg';
const AXIS_GAP = 130;
/** Few axes are spread over this much, not squeezed together. */
const MIN_WIDTH = 480;
const HEIGHT = 220;
const TOP = 24;
const BOTTOM = 20;
const SIDE = 50;

/** One vertical axis: a parameter (numeric, log or categorical) or the objective, last. */
export interface Axis {
  key: string;
  kind: 'linear' | 'log' | 'categorical';
  /** numeric axes: the range drawn (the space's, widened to any value outside it) */
  min: number;
  max: number;
  /** categorical axes: the ticks in the space's order, then any other value seen */
  categories: string[];
}

function specKind(spec: ParameterSpec | undefined): Axis['kind'] {
  if (!spec || spec.type === 'choice') return 'categorical';
  if (spec.type === 'loguniform' || (spec.type === 'int' && spec.log)) return 'log';
  return 'linear';
}

/**
 * The axes of the plot: one per searched parameter, in the space's order, and the objective
 * last. A choice is an axis of ordered ticks; a log-scaled range is drawn in log scale.
 */
export function parallelAxes(space: SearchSpace, trials: readonly TuningTrial[], objective: string): Axis[] {
  const axes: Axis[] = Object.entries(space).map(([key, spec]) => {
    const kind = specKind(spec);
    if (kind === 'categorical') {
      const categories = spec.type === 'choice' ? spec.values.map(String) : [];
      for (const trial of trials) {
        const value = trial.params[key];
        if (value !== undefined && !categories.includes(String(value))) categories.push(String(value));
      }
      return { key, kind, min: 0, max: Math.max(1, categories.length - 1), categories };
    }
    const bounds = spec.type === 'choice' ? [] : [spec.low, spec.high];
    const values = trials.map((t) => t.params[key]).filter((v): v is number => typeof v === 'number');
    return { key, kind, min: Math.min(...bounds, ...values), max: Math.max(...bounds, ...values), categories: [] };
  });
  const values = trials.map((t) => t.value).filter((v): v is number => v !== null);
  axes.push({
    key: objective,
    kind: 'linear',
    min: values.length ? Math.min(...values) : 0,
    max: values.length ? Math.max(...values) : 1,
    categories: [],
  });
  return axes;
}

/** Where a value sits on its axis, 0 (bottom) to 1 (top); null when it can't be placed. */
export function axisPosition(axis: Axis, value: ParameterValue | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (axis.kind === 'categorical') {
    const at = axis.categories.indexOf(String(value));
    if (at < 0) return null;
    return axis.categories.length === 1 ? 0.5 : at / (axis.categories.length - 1);
  }
  if (typeof value !== 'number') return null;
  if (axis.max === axis.min) return 0.5;
  if (axis.kind === 'log' && axis.min > 0 && value > 0)
    return (Math.log(value) - Math.log(axis.min)) / (Math.log(axis.max) - Math.log(axis.min));
  return (value - axis.min) / (axis.max - axis.min);
}

function svg<K extends keyof SVGElementTagNameMap>(doc: Document, tag: K, attrs: Record<string, string | number>, text?: string) {
  const element = doc.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/**
 * Parameters against the objective, one polyline per settled trial with a value, across one
 * axis per parameter and the objective's last: the better a trial, the stronger its line, and
 * the best one drawn in the accent colour on top. Plain SVG (uPlot has no such plot), coloured by
 * classes so either editor's theme applies.
 */
export class ParallelCoordinates {
  readonly element: HTMLElement;
  private readonly doc: Document;

  constructor(
    parent: HTMLElement,
    private readonly emptyText: string,
  ) {
    this.doc = parent.ownerDocument;
    this.element = h(this.doc, 'div', { className: 'emkit-parallel' });
    parent.appendChild(this.element);
  }

  set(space: SearchSpace, trials: readonly TuningTrial[], objective: string, mode: 'min' | 'max', best: number | null): void {
    const doc = this.doc;
    const scored = trials.filter((t) => t.value !== null);
    if (!scored.length) {
      this.element.replaceChildren(h(doc, 'p', { className: 'emkit-muted', text: this.emptyText }));
      return;
    }
    const axes = parallelAxes(space, scored, objective);
    const width = Math.max(MIN_WIDTH, SIDE * 2 + AXIS_GAP * (axes.length - 1));
    const gap = (width - SIDE * 2) / Math.max(1, axes.length - 1);
    // drawn at its own size (never scaled up to the pane: the text would grow with it); a narrow pane scrolls
    const root = svg(doc, 'svg', {
      viewBox: `0 0 ${width} ${HEIGHT}`,
      width,
      height: HEIGHT,
      role: 'img',
      'aria-label': objective,
    });
    root.setAttribute('class', 'emkit-parallel-plot');
    const x = (i: number) => SIDE + i * gap;
    const y = (position: number) => HEIGHT - BOTTOM - position * (HEIGHT - TOP - BOTTOM);
    const objectiveAxis = axes[axes.length - 1] as Axis;
    // best last, so it is drawn over the others
    const ordered = [...scored].sort((a, b) => (a.number === best ? 1 : b.number === best ? -1 : a.number - b.number));
    for (const trial of ordered) {
      const points = axes.map((axis, i) => {
        const position = axisPosition(axis, i === axes.length - 1 ? trial.value : trial.params[axis.key]);
        return position === null ? null : `${x(i)},${y(position)}`;
      });
      if (points.some((p) => p === null)) continue;
      const quality = axisPosition(objectiveAxis, trial.value) ?? 0.5;
      const goodness = mode === 'min' ? 1 - quality : quality;
      const line = svg(doc, 'polyline', {
        points: points.join(' '),
        'stroke-opacity': (0.25 + 0.65 * goodness).toFixed(2),
        'data-trial': trial.number,
      });
      line.setAttribute('class', trial.number === best ? 'emkit-parallel-line emkit-parallel-best' : 'emkit-parallel-line');
      line.appendChild(svg(doc, 'title', {}, `#${trial.number}: ${formatValue(trial.value as number)}`));
      root.appendChild(line);
    }
    axes.forEach((axis, i) => {
      const group = svg(doc, 'g', { 'data-axis': axis.key });
      group.setAttribute('class', 'emkit-parallel-axis');
      group.appendChild(svg(doc, 'line', { x1: x(i), x2: x(i), y1: y(0), y2: y(1) }));
      group.appendChild(svg(doc, 'text', { x: x(i), y: TOP - 10, 'text-anchor': 'middle' }, axis.key));
      const ticks =
        axis.kind === 'categorical'
          ? axis.categories.map((label) => [label, axisPosition(axis, label) ?? 0] as const)
          : ([
              [formatValue(axis.min), 0],
              [formatValue(axis.max), 1],
            ] as const);
      for (const [label, position] of ticks)
        group.appendChild(svg(doc, 'text', { x: x(i) + 4, y: y(position) + 4, class: 'emkit-parallel-tick' }, label));
      root.appendChild(group);
    });
    this.element.replaceChildren(root);
  }
}
