import { formatFigure } from '../evaluation-figures.js';
import type { Translate } from '../feeds/protocol.js';
import type { ClassificationResult, ThresholdFigures } from '../schemas/evaluations.js';
import { h } from './dom.js';

/** How long the slider rests before its threshold is asked for: a drag costs a few requests, not one per pixel. */
export const THRESHOLD_DEBOUNCE_MS = 120;

type Row = { precision: number | null; recall: number | null; f1: number | null; predicted: number | null };

/**
 * The per-class table with Custom Vision's threshold slider: precision, recall and F1 of each
 * class at the threshold (answered by the bridge from the stored scores), beside what doesn't
 * move with it (support, average precision, ROC AUC). Without scores there is no slider and the
 * figures are those of the model's own predictions.
 */
export class ClassTable {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly slider: HTMLInputElement;
  private readonly value: HTMLElement;
  private readonly note: HTMLElement;
  private readonly body: HTMLElement;
  private readonly foot: HTMLElement;
  private readonly thresholdBox: HTMLElement;
  private result: ClassificationResult | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    parent: HTMLElement,
    private readonly t: Translate,
    private readonly ask: (threshold: number) => void,
  ) {
    const doc = parent.ownerDocument;
    this.doc = doc;
    // a plain range input in both editors: neither toolkit has a slider that reads better
    this.slider = h(doc, 'input', {
      className: 'emkit-threshold-slider',
      attrs: { type: 'range', min: '0', max: '1', step: '0.01', 'aria-label': t('Probability threshold') },
    });
    this.value = h(doc, 'output', { className: 'emkit-threshold-value' });
    this.note = h(doc, 'p', { className: 'emkit-muted emkit-threshold-note' });
    this.thresholdBox = h(doc, 'div', { className: 'emkit-toolbar emkit-threshold' }, [
      h(doc, 'label', { className: 'emkit-muted', text: t('Probability threshold') }),
      this.slider,
      this.value,
    ]);
    this.body = h(doc, 'tbody');
    this.foot = h(doc, 'tfoot');
    const headers = [t('Class'), t('Support'), t('Precision'), t('Recall'), t('F1'), t('Predicted'), t('AP'), t('ROC AUC')];
    this.element = h(doc, 'div', { className: 'emkit-class-figures' }, [
      this.thresholdBox,
      this.note,
      h(doc, 'table', { className: 'emkit-table emkit-class-table' }, [
        h(doc, 'thead', {}, [
          h(
            doc,
            'tr',
            {},
            headers.map((text) => h(doc, 'th', { text })),
          ),
        ]),
        this.body,
        this.foot,
      ]),
    ]);
    parent.appendChild(this.element);
    // keys fire a change with every step, as a drag does on release: both wait for the pause
    this.slider.addEventListener('input', () => this.moved());
  }

  /** The threshold the slider shows. */
  get threshold(): number {
    return Number(this.slider.value);
  }

  /** A new evaluation: its classes, and the figures at its own threshold when it has scores. */
  set(result: ClassificationResult, atThreshold: ThresholdFigures | null, threshold: number): void {
    this.cancel();
    this.result = result;
    const scored = result.hasScores && atThreshold !== null;
    this.thresholdBox.hidden = !scored;
    this.note.hidden = scored;
    this.note.textContent = scored
      ? ''
      : this.t('No class scores: the figures are those of the predicted labels ({0}).', result.noScoresReason ?? '—');
    this.slider.value = String(threshold);
    this.value.textContent = formatFigure(threshold);
    if (scored && atThreshold) this.showThreshold(atThreshold);
    else
      this.render(
        result.perClass.map((c) => ({ precision: c.precision, recall: c.recall, f1: c.f1, predicted: null })),
        result.macro,
      );
  }

  /** The bridge's answer for a threshold: the moving columns change, the rest stays. */
  showThreshold(figures: ThresholdFigures): void {
    const result = this.result;
    if (!result) return;
    const byClass = new Map(figures.perClass.map((c) => [String(c.class), c]));
    this.value.textContent = formatFigure(figures.threshold);
    this.render(
      result.perClass.map((c) => {
        const at = byClass.get(String(c.class));
        return at
          ? { precision: at.precision, recall: at.recall, f1: at.f1, predicted: at.predicted }
          : { precision: null, recall: null, f1: null, predicted: null };
      }),
      figures.macro,
    );
    this.element.setAttribute('data-threshold', String(figures.threshold));
  }

  /** Moves the slider as a user would (tests, keyboard): the request follows after the pause. */
  moveTo(threshold: number): void {
    this.slider.value = String(threshold);
    this.moved();
  }

  /** Asks for the slider's threshold now rather than after the pause. */
  flush(): void {
    if (!this.timer) return;
    this.cancel();
    this.ask(this.threshold);
  }

  dispose(): void {
    this.cancel();
  }

  private moved(): void {
    this.value.textContent = formatFigure(this.threshold);
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ask(this.threshold);
    }, THRESHOLD_DEBOUNCE_MS);
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private render(rows: Row[], macro: { precision: number | null; recall: number | null; f1: number | null }): void {
    const doc = this.doc;
    const result = this.result;
    if (!result) return;
    const cell = (value: number | null, name: string) =>
      h(doc, 'td', { className: `emkit-num emkit-${name}`, text: formatFigure(value) });
    this.body.replaceChildren(
      ...result.perClass.map((c, i) => {
        const row = rows[i] as Row;
        return h(doc, 'tr', { attrs: { 'data-class': String(c.class) } }, [
          h(doc, 'th', { text: String(c.class), attrs: { scope: 'row' } }),
          h(doc, 'td', { className: 'emkit-num emkit-support', text: c.support.toLocaleString() }),
          cell(row.precision, 'precision'),
          cell(row.recall, 'recall'),
          cell(row.f1, 'f1'),
          h(doc, 'td', {
            className: 'emkit-num emkit-predicted',
            text: row.predicted === null ? '—' : row.predicted.toLocaleString(),
          }),
          cell(c.averagePrecision, 'ap'),
          cell(c.rocAuc, 'auc'),
        ]);
      }),
    );
    this.foot.replaceChildren(
      h(doc, 'tr', { attrs: { 'data-class': '' } }, [
        h(doc, 'th', { text: this.t('Macro average'), attrs: { scope: 'row' } }),
        h(doc, 'td'),
        cell(macro.precision, 'precision'),
        cell(macro.recall, 'recall'),
        cell(macro.f1, 'f1'),
        h(doc, 'td'),
        h(doc, 'td'),
        h(doc, 'td'),
      ]),
    );
  }
}
