import { formatFigure } from '../evaluation-figures.js';
import type { QuickTestInput, Translate } from '../feeds/protocol.js';
import type { ModelPrediction } from '../schemas/evaluations.js';
import { actionButton, type ControlElement, control, h } from './dom.js';

const SAMPLE = '[[5.1, 3.5, 1.4, 0.2]]';

/** The instances typed in: a JSON list, or an object with an `instances` list (what an endpoint takes). */
export function parseInstances(text: string): { ok: true; instances: unknown[] } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const instances =
    value && typeof value === 'object' && !Array.isArray(value) ? (value as { instances?: unknown }).instances : value;
  if (!Array.isArray(instances) || !instances.length) return { ok: false, error: 'a non-empty list of instances is expected' };
  return { ok: true, instances };
}

/** Each instance's classes by score, best first (a score the model gave as NaN, null, last): what the answer table lists. */
export function rankedScores(prediction: ModelPrediction, index: number, top = 3): { label: string; score: number | null }[] {
  const scores = prediction.scores?.[index];
  if (!scores) return [];
  const classes = prediction.classes ?? scores.map((_, i) => i);
  return scores
    .map((score, i) => ({ label: String(classes[i] ?? i), score }))
    .sort((a, b) => (b.score ?? Number.NEGATIVE_INFINITY) - (a.score ?? Number.NEGATIVE_INFINITY))
    .slice(0, top);
}

/**
 * Custom Vision's quick test: a model version called with no endpoint. JSON instances, or a
 * file (an image shows its preview) for models that take files; the answer lists each
 * instance's prediction and its best class scores.
 */
export class QuickTestBox {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly input: ControlElement;
  private readonly inputLabel: HTMLElement;
  private readonly file: HTMLInputElement;
  private readonly preview: HTMLImageElement;
  private readonly fileName: HTMLElement;
  private readonly status: HTMLElement;
  private readonly answer: HTMLElement;
  private readonly sendButton: ControlElement;
  private chosen: (QuickTestInput & { kind: 'file' }) | null = null;
  private filesOnly = false;

  constructor(
    parent: HTMLElement,
    private readonly t: Translate,
    private readonly send: (input: QuickTestInput) => void,
  ) {
    const doc = parent.ownerDocument;
    this.doc = doc;
    this.input = control(doc, 'textArea', {
      className: 'emkit-input emkit-quicktest-json',
      label: t('Instances (JSON)'),
      attrs: { rows: '4' },
    });
    this.input.spellcheck = false;
    this.input.value = SAMPLE;
    // typing JSON again means testing JSON: the file is forgotten
    this.input.addEventListener('input', () => this.clearFile());
    this.file = h(doc, 'input', {
      className: 'emkit-quicktest-file',
      attrs: { type: 'file', accept: 'image/*,audio/*,text/*', 'aria-label': t('Or a file') },
    });
    this.file.addEventListener('change', () => void this.readFile());
    this.preview = h(doc, 'img', { className: 'emkit-quicktest-preview', attrs: { alt: '' } });
    this.preview.hidden = true;
    this.fileName = h(doc, 'span', { className: 'emkit-muted emkit-quicktest-filename' });
    this.sendButton = actionButton(doc, 'quickTest', t('Test'), () => this.submit());
    this.status = h(doc, 'span', { className: 'emkit-muted emkit-prediction-status', attrs: { 'aria-live': 'polite' } });
    this.answer = h(doc, 'div', { className: 'emkit-quicktest-answer' });
    this.inputLabel = h(doc, 'label', { className: 'emkit-muted', text: t('Instances (JSON)') });
    this.element = h(doc, 'div', { className: 'emkit-tryit emkit-quicktest' }, [
      this.inputLabel,
      this.input,
      h(doc, 'div', { className: 'emkit-toolbar' }, [
        h(doc, 'label', { className: 'emkit-muted', text: t('Or a file') }),
        this.file,
        this.fileName,
      ]),
      this.preview,
      h(doc, 'div', { className: 'emkit-toolbar' }, [this.sendButton, this.status]),
      this.answer,
    ]);
    parent.appendChild(this.element);
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) this.submit();
    });
  }

  get instances(): string {
    return this.input.value;
  }

  set instances(text: string) {
    this.input.value = text;
    this.clearFile();
  }

  /** A model that takes files of one kind (a no-code image or audio model): no JSON box, the picker asks for that kind. */
  acceptOnly(kind: 'image' | 'audio'): void {
    this.filesOnly = true;
    this.inputLabel.hidden = true;
    this.input.hidden = true;
    this.file.accept = `${kind}/*`;
  }

  /** A file to send instead of JSON (what the file picker does; tests call it with a File). */
  async chooseFile(file: File): Promise<void> {
    const url = await readAsDataUrl(file);
    const base64 = url.slice(url.indexOf(',') + 1);
    this.chosen = { kind: 'file', name: file.name, type: file.type || 'application/octet-stream', base64 };
    this.fileName.textContent = `${file.name} (${file.size.toLocaleString()} B)`;
    // an image is shown as it goes to the model; the page allows data: images only
    const image = file.type.startsWith('image/');
    this.preview.hidden = !image;
    if (image) this.preview.src = url;
    else this.preview.removeAttribute('src');
  }

  submit(): void {
    let input: QuickTestInput;
    if (this.chosen) input = this.chosen;
    else if (this.filesOnly) {
      this.showError(this.t('Choose a file first.'));
      return;
    } else {
      const parsed = parseInstances(this.input.value);
      if (!parsed.ok) {
        this.showError(this.t('The instances are not a JSON list: {0}', parsed.error));
        return;
      }
      input = { kind: 'json', instances: parsed.instances };
    }
    this.sendButton.disabled = true;
    this.status.className = 'emkit-muted emkit-prediction-status';
    this.status.textContent = this.t('Sending…');
    this.send(input);
  }

  showPrediction(prediction: ModelPrediction): void {
    const doc = this.doc;
    this.sendButton.disabled = false;
    this.status.className = 'emkit-prediction-status emkit-tone-ok';
    this.status.textContent = prediction.warm
      ? this.t('Answered in {0} ms', Math.round(prediction.milliseconds))
      : this.t('Answered in {0} ms (the model was loaded first)', Math.round(prediction.milliseconds));
    const rows = prediction.predictions.map((value, i) =>
      h(doc, 'tr', { attrs: { 'data-index': String(i) } }, [
        h(doc, 'td', { className: 'emkit-num', text: String(i) }),
        h(doc, 'td', { className: 'emkit-quicktest-label', text: typeof value === 'string' ? value : JSON.stringify(value) }),
        h(
          doc,
          'td',
          { className: 'emkit-quicktest-scores' },
          rankedScores(prediction, i).map((s) =>
            h(doc, 'span', { className: 'emkit-score', attrs: { 'data-class': s.label } }, [
              h(doc, 'span', { text: s.label }),
              h(doc, 'span', { className: 'emkit-score-value', text: formatFigure(s.score) }),
            ]),
          ),
        ),
      ]),
    );
    this.answer.replaceChildren(
      h(doc, 'table', { className: 'emkit-table emkit-quicktest-table' }, [
        h(doc, 'thead', {}, [
          h(doc, 'tr', {}, [
            h(doc, 'th', { text: '#' }),
            h(doc, 'th', { text: this.t('Prediction') }),
            h(doc, 'th', { text: this.t('Scores') }),
          ]),
        ]),
        h(doc, 'tbody', {}, rows),
      ]),
    );
  }

  showError(message: string): void {
    this.sendButton.disabled = false;
    this.status.className = 'emkit-prediction-status emkit-tone-failed';
    this.status.textContent = message;
    this.answer.replaceChildren();
  }

  private clearFile(): void {
    if (!this.chosen) return;
    this.chosen = null;
    this.file.value = '';
    this.fileName.textContent = '';
    this.preview.hidden = true;
    this.preview.removeAttribute('src');
  }

  private async readFile(): Promise<void> {
    const file = this.file.files?.[0];
    if (file) await this.chooseFile(file).catch((error: Error) => this.showError(error.message));
    else this.clearFile();
  }
}

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}
