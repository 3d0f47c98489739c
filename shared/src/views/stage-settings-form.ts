import type { Translate } from '../feeds/protocol.js';
import { type StageSettingsValues, stageSettingsValues, stageUpdateFrom } from '../monitoring/stage-settings.js';
import type { EndpointStage, StageUpdate } from '../schemas/endpoints.js';
import { actionButton, type ControlElement, control, h } from './dom.js';

type Field = keyof StageSettingsValues;

/**
 * What watches one stage, changed with no redeploy: its workers' memory limit, payload logging
 * (on, the share of requests, the fields redacted) and drift (on, its reference and window). The
 * view opens it under the stages; Save asks the feed to PATCH the stage and the form closes once
 * the bridge agrees, or shows the bridge's words beside the field they are about.
 */
export class StageSettingsForm {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly heading: HTMLElement;
  private readonly problem: HTMLElement;
  private readonly fields: Record<Field, ControlElement>;
  private readonly save: ControlElement;
  private stage: EndpointStage | null = null;

  constructor(
    parent: HTMLElement,
    private readonly t: Translate,
    private readonly onSave: (stage: string, body: StageUpdate) => void,
  ) {
    this.doc = parent.ownerDocument;
    const doc = this.doc;
    const text = (field: Field, placeholder = '') =>
      control(doc, 'textField', { className: 'emkit-input', attrs: { 'data-field': field, placeholder } });
    const onOff = (field: Field) =>
      control(doc, 'select', { attrs: { 'data-field': field } }, [
        control(doc, 'option', { text: t('Off'), attrs: { value: 'off' } }),
        control(doc, 'option', { text: t('On'), attrs: { value: 'on' } }),
      ]);
    this.fields = {
      memoryLimitMb: text('memoryLimitMb', t('empty: no limit')),
      payloadLogging: onOff('payloadLogging'),
      sampleRate: text('sampleRate', '100'),
      redact: text('redact', t('field names, comma-separated')),
      drift: onOff('drift'),
      reference: text('reference', t("empty: the table its model's training used")),
      window: text('window', '1h'),
    };
    const labels: Record<Field, string> = {
      memoryLimitMb: t('Memory limit per worker (MB)'),
      payloadLogging: t('Payload logging'),
      sampleRate: t('Requests logged (%)'),
      redact: t('Redact fields'),
      drift: t('Drift'),
      reference: t('Drift reference (dataset or absolute path)'),
      window: t('Drift window'),
    };
    for (const [field, element] of Object.entries(this.fields) as [Field, ControlElement][]) {
      element.setAttribute('aria-label', labels[field]);
      if ('label' in element) (element as { label: string }).label = labels[field];
    }
    this.heading = h(doc, 'h3', {});
    this.problem = h(doc, 'p', { className: 'emkit-reason emkit-form-problem', attrs: { role: 'alert' } });
    this.save = actionButton(doc, 'saveStageSettings', t('Save'), () => this.submit());
    const row = (field: Field) =>
      h(doc, 'label', { className: 'emkit-form-row' }, [h(doc, 'span', { text: labels[field] }), this.fields[field]]);
    this.element = h(doc, 'section', { className: 'emkit-stage-settings', attrs: { 'aria-label': t('Stage settings') } }, [
      this.heading,
      h(
        doc,
        'div',
        { className: 'emkit-form' },
        (Object.keys(this.fields) as Field[]).map((field) => row(field)),
      ),
      this.problem,
      h(doc, 'div', { className: 'emkit-toolbar' }, [
        this.save,
        actionButton(doc, 'cancelStageSettings', t('Cancel'), () => this.close()),
      ]),
    ]);
    this.element.hidden = true;
    parent.appendChild(this.element);
  }

  /** The stage whose settings are open (null: closed). */
  get openStage(): string | null {
    return this.element.hidden ? null : (this.stage?.name ?? null);
  }

  open(stage: EndpointStage): void {
    this.stage = stage;
    this.heading.textContent = this.t('Settings of stage {0}', stage.name);
    const values = stageSettingsValues(stage);
    for (const [field, element] of Object.entries(this.fields) as [Field, ControlElement][]) {
      const value = values[field];
      element.value = typeof value === 'boolean' ? (value ? 'on' : 'off') : value;
    }
    this.problem.textContent = '';
    this.save.disabled = false;
    this.element.hidden = false;
    this.fields.memoryLimitMb.focus?.();
  }

  close(): void {
    this.element.hidden = true;
    this.stage = null;
  }

  /** The bridge's answer to the PATCH: closed when done, its words shown when not. */
  answered(stage: string, error: { message: string; field?: string } | null): void {
    if (stage !== this.stage?.name) return;
    this.save.disabled = false;
    if (!error) {
      this.close();
      return;
    }
    this.problem.textContent = error.message;
    // the bridge names `drift.reference`, `payloadLogging.sampleRate`: the form's own field where it has one
    const parts = error.field?.split('.') ?? [];
    this.mark(parts.reverse().find((part) => part in this.fields));
  }

  /** What the fields say now. */
  values(): StageSettingsValues {
    const read = (field: Field) => this.fields[field].value;
    return {
      memoryLimitMb: read('memoryLimitMb'),
      payloadLogging: read('payloadLogging') === 'on',
      sampleRate: read('sampleRate'),
      redact: read('redact'),
      drift: read('drift') === 'on',
      reference: read('reference'),
      window: read('window'),
    };
  }

  private submit(): void {
    const stage = this.stage;
    if (!stage) return;
    const result = stageUpdateFrom(stage, this.values(), this.t);
    if (!result.ok) {
      this.problem.textContent = result.message;
      this.mark(result.field);
      return;
    }
    this.problem.textContent = '';
    this.mark(undefined);
    this.save.disabled = true;
    this.onSave(stage.name, result.body);
  }

  private mark(field: string | undefined): void {
    for (const [name, element] of Object.entries(this.fields)) {
      if (name === field) element.setAttribute('aria-invalid', 'true');
      else element.removeAttribute('aria-invalid');
    }
  }
}
