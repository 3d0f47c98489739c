import { formatFigure } from '../evaluation-figures.js';
import { h } from './dom.js';

export interface Bar {
  label: string;
  value: number;
}

/** A histogram's bins as bars: "lower – upper" with its count. */
export function histogramBars(edges: readonly number[], counts: readonly number[]): Bar[] {
  return counts.map((count, i) => ({ label: `${formatFigure(edges[i])} – ${formatFigure(edges[i + 1])}`, value: count }));
}

/**
 * Horizontal bars in plain HTML (a residual histogram, cluster sizes): few enough bins that a
 * canvas would add nothing, and each bar reads as text to a screen reader.
 */
export class BarList {
  readonly element: HTMLElement;
  private readonly doc: Document;

  constructor(parent: HTMLElement, className: string) {
    this.doc = parent.ownerDocument;
    this.element = h(this.doc, 'div', { className: `emkit-bars ${className}` });
    parent.appendChild(this.element);
  }

  set(bars: readonly Bar[]): void {
    const max = Math.max(1, ...bars.map((bar) => bar.value));
    this.element.replaceChildren(
      ...bars.map((bar) => {
        const fill = h(this.doc, 'span', { className: 'emkit-bar-fill' });
        fill.style.width = `${(bar.value / max) * 100}%`;
        return h(this.doc, 'div', { className: 'emkit-bar', attrs: { 'data-label': bar.label } }, [
          h(this.doc, 'span', { className: 'emkit-bar-label', text: bar.label }),
          h(this.doc, 'span', { className: 'emkit-bar-track' }, [fill]),
          h(this.doc, 'span', { className: 'emkit-bar-value', text: bar.value.toLocaleString() }),
        ]);
      }),
    );
  }
}
