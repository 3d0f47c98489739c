import type { Translate } from '../feeds/protocol.js';
import { actionButton, type ControlElement, control, h } from './dom.js';

const SAMPLE = '{\n  "instances": [[5.1, 3.5, 1.4, 0.2]]\n}';

/** Parses the request body, or says why it isn't JSON. */
export function parseBody(text: string): { ok: true; body: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/**
 * A request box for an endpoint: JSON in, the answer out. Invalid JSON is reported here and
 * nothing is sent; the answer shows its status and time, and the predictions pretty-printed.
 */
export class TryItBox {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly input: ControlElement;
  private readonly stage: ControlElement;
  private readonly status: HTMLElement;
  private readonly output: HTMLElement;
  private readonly sendButton: ControlElement;

  constructor(
    parent: HTMLElement,
    private readonly t: Translate,
    private readonly send: (stage: string | null, body: unknown) => void,
  ) {
    this.doc = parent.ownerDocument;
    this.input = control(this.doc, 'textArea', {
      className: 'emkit-input',
      label: t('Request body (JSON)'),
      attrs: { rows: '6' },
    });
    // the property, not the attribute: a custom textarea may read spellcheck="false" as true
    this.input.spellcheck = false;
    this.input.value = SAMPLE;
    this.stage = control(this.doc, 'select', { className: 'emkit-tryit-stage', label: t('Stage') });
    this.sendButton = actionButton(this.doc, 'predict', t('Send'), () => this.submit());
    this.status = h(this.doc, 'span', { className: 'emkit-muted emkit-prediction-status', attrs: { 'aria-live': 'polite' } });
    this.output = h(this.doc, 'pre', { className: 'emkit-prediction' });
    this.output.hidden = true;
    this.element = h(this.doc, 'div', { className: 'emkit-tryit' }, [
      h(this.doc, 'label', { className: 'emkit-muted', text: t('Request body (JSON)') }),
      this.input,
      h(this.doc, 'div', { className: 'emkit-toolbar' }, [this.stage, this.sendButton, this.status]),
      this.output,
    ]);
    parent.appendChild(this.element);
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) this.submit();
    });
    this.setStages([], null);
  }

  get body(): string {
    return this.input.value;
  }

  set body(text: string) {
    this.input.value = text;
  }

  /** The stages to choose from; the first choice is always "the default stage". */
  setStages(names: readonly string[], defaultStage: string | null): void {
    const chosen = this.stage.value;
    const options = [
      control(this.doc, 'option', {
        text: defaultStage ? `${this.t('Default stage')} (${defaultStage})` : this.t('Default stage'),
        attrs: { value: '' },
      }),
      // the choice is marked on its option too: a custom select may read its new options later
      ...names.map((name) =>
        control(this.doc, 'option', { text: name, attrs: name === chosen ? { value: name, selected: '' } : { value: name } }),
      ),
    ];
    this.stage.replaceChildren(...options);
    if (names.includes(chosen)) this.stage.value = chosen;
  }

  submit(): void {
    const parsed = parseBody(this.input.value);
    if (!parsed.ok) {
      this.show('failed', this.t('The request body is not JSON: {0}', parsed.error), null);
      return;
    }
    this.sendButton.disabled = true;
    this.status.textContent = this.t('Sending…');
    this.send(this.stage.value || null, parsed.body);
  }

  /** The answer: a 2xx shows the predictions, anything else the error's words. */
  showResult(status: number, body: unknown, latencyMs: number): void {
    const ok = status >= 200 && status < 300;
    const shown =
      ok && body && typeof body === 'object' && 'predictions' in body ? (body as { predictions: unknown }).predictions : body;
    this.show(ok ? 'ok' : 'failed', this.t('HTTP {0} in {1} ms', status, Math.round(latencyMs * 10) / 10), shown);
  }

  showError(message: string): void {
    this.show('failed', message, null);
  }

  private show(tone: 'ok' | 'failed', status: string, body: unknown): void {
    this.sendButton.disabled = false;
    this.status.textContent = status;
    this.status.className = `emkit-prediction-status emkit-tone-${tone}`;
    this.output.hidden = body === null || body === undefined;
    this.output.className = tone === 'ok' ? 'emkit-prediction' : 'emkit-prediction emkit-tone-failed';
    this.output.textContent =
      body === null || body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  }
}
