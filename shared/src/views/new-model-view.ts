import type { NewModelViewAction, NewModelViewMessage, Translate } from '../feeds/protocol.js';
import type { Dataset, DatasetPreview } from '../schemas/datasets.js';
import type { ModelType, Recipe } from '../schemas/recipes.js';
import {
  datasetFits,
  defaultChoices,
  formParameters,
  kParameter,
  type NoCodeChoices,
  noCodeCards,
  noCodeTraining,
  schemaFits,
  tableColumns,
} from '../workflows/no-code.js';
import { DatasetView } from './dataset-view.js';
import { actionButton, type ControlElement, control, h } from './dom.js';
import { ensureStyles } from './styles.js';

/** A form field: its control and how its value is read back into the choices. */
type Field = { name: string; element: HTMLElement };

/**
 * "New model (no code)" (Entry's AI blocks): 1. one of six cards, 2. a dataset that fits it
 * (or Upload…) with its preview — classes with counts and thumbnails, or columns with types —
 * 3. the choices (label and feature columns, K, the type's other parameters with their
 * defaults), then Train. The choices are checked before anything is sent; the bridge's refusal
 * is shown beside them. Renders its feed's messages and asks its host, like the other views.
 */
export class NewModelView {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private readonly t: Translate;
  private readonly act: (action: NewModelViewAction) => void;
  private readonly error: HTMLElement;
  private readonly cards: HTMLElement;
  private readonly dataSection: HTMLElement;
  private readonly datasetSelect: ControlElement;
  private readonly noDataset: HTMLElement;
  private readonly previewBox: HTMLElement;
  private readonly choicesSection: HTMLElement;
  private readonly fieldsBox: HTMLElement;
  private readonly status: HTMLElement;
  private readonly trainButton: ControlElement;
  private recipes: Recipe[] = [];
  private datasets: Dataset[] = [];
  private type: ModelType | null = null;
  private ref: string | null = null;
  private preview: { dataset: Dataset; preview: DatasetPreview } | null = null;
  private datasetView: DatasetView | null = null;
  private choices: NoCodeChoices | null = null;
  private fields: Field[] = [];
  private starting = false;

  constructor(parent: HTMLElement, options: { t: Translate; act: (action: NewModelViewAction) => void }) {
    const doc = parent.ownerDocument;
    this.doc = doc;
    ensureStyles(doc);
    const { t } = options;
    this.t = t;
    this.act = options.act;
    this.error = h(doc, 'p', { className: 'emkit-reason emkit-feed-error' });
    this.cards = h(doc, 'div', { className: 'emkit-nocode-cards', attrs: { role: 'radiogroup' } });
    this.datasetSelect = control(doc, 'select', { className: 'emkit-nocode-dataset', label: t('Dataset') });
    this.datasetSelect.addEventListener('change', () => {
      if (this.datasetSelect.value) this.selectDataset(this.datasetSelect.value);
    });
    this.noDataset = h(doc, 'p', {
      className: 'emkit-muted emkit-nocode-none',
      text: t('No dataset fits this model type yet: upload a folder or a table.'),
    });
    this.previewBox = h(doc, 'div', { className: 'emkit-nocode-preview' });
    this.dataSection = h(doc, 'section', { className: 'emkit-nocode-data' }, [
      h(doc, 'h3', { text: t('2. Your data') }),
      h(doc, 'div', { className: 'emkit-toolbar' }, [
        this.datasetSelect,
        actionButton(doc, 'upload', t('Upload…'), () => this.type && this.act({ action: 'upload', modelType: this.type })),
      ]),
      this.noDataset,
      this.previewBox,
    ]);
    this.fieldsBox = h(doc, 'div', { className: 'emkit-nocode-fields' });
    this.status = h(doc, 'p', { className: 'emkit-nocode-status', attrs: { 'aria-live': 'polite' } });
    this.trainButton = actionButton(doc, 'train', t('Train'), () => this.train());
    this.choicesSection = h(doc, 'section', { className: 'emkit-nocode-choices' }, [
      h(doc, 'h3', { text: t('3. Choices') }),
      this.fieldsBox,
      h(doc, 'div', { className: 'emkit-toolbar' }, [
        this.trainButton,
        actionButton(doc, 'cancel', t('Cancel'), () => this.act({ action: 'cancel' })),
      ]),
      this.status,
    ]);
    this.element = h(doc, 'div', { className: 'emkit-view emkit-new-model-view' }, [
      h(doc, 'h2', {}, [h(doc, 'span', { className: 'emkit-title', text: t('New model (no code)') })]),
      this.error,
      h(doc, 'section', { className: 'emkit-nocode-types' }, [
        h(doc, 'h3', { text: t('1. What should the model do?') }),
        this.cards,
      ]),
      this.dataSection,
      this.choicesSection,
    ]);
    parent.appendChild(this.element);
    this.render();
  }

  /** The type chosen, the dataset version previewed: what a test or a host may read. */
  get selection(): { type: ModelType | null; ref: string | null } {
    return { type: this.type, ref: this.ref };
  }

  handle(message: NewModelViewMessage): void {
    switch (message.type) {
      case 'recipes':
        this.recipes = message.recipes;
        this.renderCards();
        break;
      case 'datasets':
        this.datasets = message.datasets;
        // chosen before the options are drawn, so they are drawn with it chosen
        if (message.select) this.ref = message.select;
        this.renderDatasets();
        if (message.select) this.selectDataset(message.select);
        break;
      case 'preview':
        if (message.ref !== this.ref) return;
        this.error.textContent = '';
        this.preview = { dataset: message.dataset, preview: message.preview };
        this.renderPreview();
        break;
      case 'started':
        this.starting = false;
        this.trainButton.disabled = false;
        this.setStatus('ok', this.t('Training {0} started.', message.training.name));
        break;
      case 'trainError':
        this.starting = false;
        this.trainButton.disabled = false;
        this.setStatus('failed', message.message, message.field);
        break;
      case 'error':
        this.error.textContent = message.message;
        break;
    }
  }

  /** Picks a card (what a click does). */
  chooseType(type: ModelType): void {
    if (type === this.type) return;
    this.type = type;
    this.choices = null;
    this.setStatus('muted', '');
    this.markCards();
    this.renderDatasets();
    // the dataset previewed stays when it fits the new type too
    if (this.preview && !schemaFits(type, this.preview.preview.schema)) this.clearPreview();
    this.renderChoices();
  }

  dispose(): void {
    this.datasetView?.dispose();
    this.element.remove();
  }

  private selectDataset(ref: string): void {
    this.ref = ref;
    this.datasetSelect.value = ref;
    this.setStatus('muted', '');
    this.act({ action: 'selectDataset', ref });
  }

  private render(): void {
    this.renderCards();
    this.renderDatasets();
    this.renderChoices();
  }

  private renderCards(): void {
    const doc = this.doc;
    const builtins = new Set(this.recipes.map((r) => r.modelType));
    this.cards.replaceChildren(
      ...noCodeCards()
        .filter((card) => builtins.has(card.modelType))
        .map((card) => {
          const button = h(
            doc,
            'button',
            {
              className: 'emkit-nocode-card',
              attrs: { type: 'button', role: 'radio', 'data-model-type': card.modelType },
            },
            [
              h(doc, 'strong', { className: 'emkit-nocode-card-title', text: this.t(card.title) }),
              h(doc, 'span', { className: 'emkit-muted emkit-nocode-card-text', text: this.t(card.explanation) }),
            ],
          );
          button.addEventListener('click', () => this.chooseType(card.modelType));
          return button;
        }),
    );
    this.markCards();
  }

  /** The chosen card stands out (the cards stay the same elements, so focus stays where it was). */
  private markCards(): void {
    for (const card of Array.from(this.cards.querySelectorAll<HTMLElement>('.emkit-nocode-card'))) {
      const chosen = card.dataset.modelType === this.type;
      card.classList.toggle('emkit-selected', chosen);
      card.setAttribute('aria-checked', String(chosen));
    }
  }

  private renderDatasets(): void {
    const type = this.type;
    this.dataSection.hidden = !type;
    if (!type) return;
    const fit = this.datasets.filter((d) => datasetFits(type, d));
    const options = fit.map((d) =>
      control(this.doc, 'option', {
        text: `${d.name} · v${d.latest.version}`,
        attrs: { value: `${d.name}:${d.latest.version}` },
      }),
    );
    // a version other than the newest, picked in the preview, stays listed
    if (this.ref && !fit.some((d) => `${d.name}:${d.latest.version}` === this.ref))
      options.unshift(control(this.doc, 'option', { text: this.ref.replace(':', ' · v'), attrs: { value: this.ref } }));
    // the chosen option is marked too: VS Code's select reads its new options a moment after
    // they are added, so a value set now alone would be lost
    for (const option of options) if (option.getAttribute('value') === this.ref) option.setAttribute('selected', '');
    this.datasetSelect.replaceChildren(
      control(this.doc, 'option', { text: this.t('Choose a dataset…'), attrs: { value: '' } }),
      ...options,
    );
    this.datasetSelect.value = this.ref ?? '';
    this.noDataset.hidden = fit.length > 0;
  }

  private clearPreview(): void {
    this.ref = null;
    this.preview = null;
    this.datasetView?.dispose();
    this.datasetView = null;
    this.renderDatasets();
  }

  private renderPreview(): void {
    const shown = this.preview;
    if (!shown) return;
    const { dataset, preview } = shown;
    this.datasetView?.dispose();
    this.datasetView = new DatasetView(this.previewBox, {
      name: dataset.name,
      t: this.t,
      act: (action) => this.selectDataset(`${dataset.name}:${action.version}`),
    });
    const versions = Array.from({ length: dataset.latest.version }, (_, i) => dataset.latest.version - i);
    this.datasetView.handle({ type: 'dataset', dataset, versions });
    this.datasetView.handle({ type: 'preview', preview });
    this.choices = null;
    this.renderChoices();
  }

  private renderChoices(): void {
    const type = this.type;
    const shown = this.preview;
    const ready = Boolean(type && shown && schemaFits(type, shown.preview.schema));
    this.choicesSection.hidden = !ready;
    if (!type || !shown || !ready) {
      this.fields = [];
      this.fieldsBox.replaceChildren();
      return;
    }
    const { preview } = shown;
    this.choices ??= defaultChoices(type, { name: preview.dataset, version: preview.version, schema: preview.schema });
    const choices = this.choices;
    const { t } = this;
    const fields: HTMLElement[] = [];
    this.fields = [];
    const columns = tableColumns(preview.schema);
    const table = preview.schema.kind === 'table';
    const columnSelect = (name: 'label' | 'target' | 'text', label: string, value: string | undefined) => {
      const select = control(this.doc, 'select', { className: 'emkit-nocode-column', label, attrs: { 'data-field': name } });
      select.replaceChildren(...columns.label.map((c) => control(this.doc, 'option', { text: c, attrs: { value: c } })));
      select.value = value ?? '';
      select.addEventListener('change', () => {
        choices[name] = select.value;
        // the column predicted is no feature
        if (choices.features) choices.features = choices.features.filter((f) => f !== select.value);
        this.renderChoices();
      });
      fields.push(this.field(label, select));
    };
    if (table && type === 'text-classification') {
      columnSelect('text', t('Text column'), choices.text);
      columnSelect('label', t('Label column'), choices.label);
    }
    if (table && type === 'number-classification') columnSelect('label', t('Label column'), choices.label);
    if (table && type === 'number-prediction') columnSelect('target', t('Column to predict'), choices.target);
    if (table && type !== 'text-classification') fields.push(this.featuresField(columns.features, choices));
    const k = kParameter(type);
    if (k) fields.push(this.textField('k', 'K', choices.k ?? '', k.description, (v) => (choices.k = v)));
    for (const parameter of formParameters(type)) {
      const value = choices.parameters[parameter.name] ?? parameter.default ?? '';
      const set = (v: string) => (choices.parameters[parameter.name] = v);
      const label = t(parameter.label);
      if (parameter.type === 'boolean') fields.push(this.checkField(parameter.name, label, value === 'true', set));
      else if (parameter.type === 'choice')
        fields.push(this.choiceField(parameter.name, label, parameter.choices ?? [], value, set));
      else fields.push(this.textField(parameter.name, label, value, parameter.description, set));
    }
    this.fieldsBox.replaceChildren(...fields);
  }

  private field(label: string, control: HTMLElement, name?: string): HTMLElement {
    const box = h(this.doc, 'label', { className: 'emkit-nocode-field' }, [
      h(this.doc, 'span', { className: 'emkit-muted', text: label }),
      control,
    ]);
    this.fields.push({ name: name ?? control.dataset.field ?? '', element: box });
    return box;
  }

  private textField(name: string, label: string, value: string, description: string, set: (v: string) => void): HTMLElement {
    const input = control(this.doc, 'textField', {
      className: 'emkit-input',
      label,
      title: description,
      attrs: { 'data-field': name },
    });
    input.value = value;
    input.addEventListener('input', () => set(input.value));
    return this.field(label, input, name);
  }

  private choiceField(name: string, label: string, choices: string[], value: string, set: (v: string) => void): HTMLElement {
    const select = control(this.doc, 'select', { label, attrs: { 'data-field': name } });
    select.replaceChildren(...choices.map((c) => control(this.doc, 'option', { text: c, attrs: { value: c } })));
    select.value = value;
    select.addEventListener('change', () => set(select.value));
    return this.field(label, select, name);
  }

  private checkField(name: string, label: string, checked: boolean, set: (v: string) => void): HTMLElement {
    const box = h(this.doc, 'input', { attrs: { type: 'checkbox', 'data-field': name, 'aria-label': label } });
    box.checked = checked;
    box.addEventListener('change', () => set(String(box.checked)));
    return this.field(label, box, name);
  }

  /** The numeric columns as checkboxes, the one predicted left out. */
  private featuresField(numeric: string[], choices: NoCodeChoices): HTMLElement {
    const predicted = choices.target ?? choices.label;
    const chosen = new Set(choices.features ?? []);
    const boxes = numeric
      .filter((c) => c !== predicted)
      .map((column) => {
        const box = h(this.doc, 'input', { attrs: { type: 'checkbox', value: column, 'aria-label': column } });
        box.checked = chosen.has(column);
        box.addEventListener('change', () => {
          const next = new Set(choices.features ?? []);
          if (box.checked) next.add(column);
          else next.delete(column);
          choices.features = numeric.filter((c) => next.has(c));
        });
        return h(this.doc, 'label', { className: 'emkit-nocode-feature' }, [box, h(this.doc, 'span', { text: column })]);
      });
    const group = h(this.doc, 'div', { className: 'emkit-nocode-features', attrs: { 'data-field': 'features' } }, boxes);
    const box = h(this.doc, 'div', { className: 'emkit-nocode-field' }, [
      h(this.doc, 'span', { className: 'emkit-muted', text: this.t('Feature columns') }),
      group,
    ]);
    this.fields.push({ name: 'features', element: box });
    return box;
  }

  private train(): void {
    if (!this.type || this.starting) return;
    const result = noCodeTraining(this.type, this.choices ?? defaultChoices(this.type, null));
    if (!result.ok) {
      this.setStatus('failed', this.t(result.error.text, ...result.error.args), result.error.field);
      return;
    }
    this.starting = true;
    this.trainButton.disabled = true;
    this.setStatus('muted', this.t('Starting {0}…', result.name));
    this.act({ action: 'train', recipe: this.type, body: result.body });
  }

  /** The line under Train; a field it is about is marked (the form's name, or the bridge's `hyperparameters.k` / `datasets.train`). */
  private setStatus(tone: 'ok' | 'failed' | 'muted', text: string, bridgeField?: string): void {
    const field = bridgeField?.startsWith('datasets') ? 'dataset' : bridgeField?.replace(/^hyperparameters\./, '');
    this.status.textContent = text;
    this.status.className = `emkit-nocode-status ${tone === 'muted' ? 'emkit-muted' : `emkit-tone-${tone}`}`;
    for (const f of this.fields) f.element.classList.toggle('emkit-invalid', f.name === field);
    if (field === 'dataset') this.datasetSelect.classList.add('emkit-invalid');
    else this.datasetSelect.classList.remove('emkit-invalid');
  }
}
