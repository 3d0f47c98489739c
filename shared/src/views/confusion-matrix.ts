import type { Translate } from '../feeds/protocol.js';
import type { Label } from '../schemas/evaluations.js';
import { h } from './dom.js';

/** Each cell's share of its row (the true class): what the heat map's colour says. */
export function rowShares(matrix: readonly (readonly number[])[]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((sum, count) => sum + count, 0);
    return row.map((count) => (total ? count / total : 0));
  });
}

/**
 * The confusion matrix as a heat map: rows the true class, columns the predicted one, each
 * cell's colour its share of the row — the diagonal (right) in the accent colour, the rest
 * (mistakes) in the failure colour — and the count written in it.
 */
export class ConfusionMatrix {
  readonly element: HTMLElement;
  private readonly doc: Document;

  constructor(
    parent: HTMLElement,
    private readonly t: Translate,
  ) {
    this.doc = parent.ownerDocument;
    this.element = h(this.doc, 'div', { className: 'emkit-confusion' });
    parent.appendChild(this.element);
  }

  set(classes: readonly Label[], matrix: readonly (readonly number[])[]): void {
    const doc = this.doc;
    const shares = rowShares(matrix);
    const header = h(doc, 'tr', {}, [
      h(doc, 'th', { className: 'emkit-confusion-corner', text: this.t('Actual ↓ / Predicted →') }),
      ...classes.map((c) => h(doc, 'th', { text: String(c), attrs: { scope: 'col' } })),
    ]);
    const rows = matrix.map((row, i) =>
      h(doc, 'tr', {}, [
        h(doc, 'th', { text: String(classes[i]), attrs: { scope: 'row' } }),
        ...row.map((count, j) => {
          const share = shares[i]?.[j] ?? 0;
          const cell = h(doc, 'td', {
            className: i === j ? 'emkit-cell emkit-cell-right' : 'emkit-cell emkit-cell-wrong',
            text: count.toLocaleString(),
            title: this.t(
              '{0} of class {1} predicted as {2} ({3}%)',
              count,
              String(classes[i]),
              String(classes[j]),
              Math.round(share * 1000) / 10,
            ),
            attrs: { 'data-true': String(classes[i]), 'data-predicted': String(classes[j]), 'data-share': share.toFixed(4) },
          });
          cell.style.setProperty('--emkit-heat', `${Math.round(share * 100)}%`);
          // dark cells get light text
          if (share > 0.55) cell.classList.add('emkit-cell-strong');
          return cell;
        }),
      ]),
    );
    this.element.replaceChildren(
      h(doc, 'table', { className: 'emkit-confusion-table' }, [h(doc, 'thead', {}, [header]), h(doc, 'tbody', {}, rows)]),
    );
  }
}
