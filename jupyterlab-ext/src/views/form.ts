import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

export interface Field {
  name: string;
  label: string;
  kind?: 'text' | 'number' | 'select' | 'textarea';
  /** a number box's least value (default 1) */
  min?: number;
  value?: string;
  placeholder?: string;
  /** for a select: [value, label, disabled] (a disabled option is shown, with its reason in its label, but can't be chosen) */
  options?: readonly (readonly [string, string, boolean?])[];
  help?: string;
  /** shown only while another field's value isn't this one (e.g. the placement only when a cluster is chosen) */
  hiddenWhen?: { field: string; value: string };
}

/** A dialog body holding a plain form; its value is every field by name. */
class FormBody extends Widget implements Dialog.IBodyWidget<Record<string, string>> {
  private readonly form: HTMLFormElement;

  constructor(fields: readonly Field[]) {
    super();
    this.addClass('emkit-Form');
    this.form = document.createElement('form');
    for (const field of fields) {
      const label = document.createElement('label');
      label.className = 'emkit-Form-field';
      const caption = document.createElement('span');
      caption.textContent = field.label;
      label.appendChild(caption);
      let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
      if (field.kind === 'select') {
        input = document.createElement('select');
        for (const [value, text, disabled] of field.options ?? []) {
          const option = document.createElement('option');
          option.value = value;
          option.textContent = text;
          option.disabled = disabled === true;
          input.appendChild(option);
        }
        input.className = 'jp-mod-styled';
      } else if (field.kind === 'textarea') {
        input = document.createElement('textarea');
        input.rows = 4;
        input.className = 'jp-mod-styled';
      } else {
        input = document.createElement('input');
        input.type = field.kind === 'number' ? 'number' : 'text';
        if (field.kind === 'number') input.min = String(field.min ?? 1);
        input.className = 'jp-mod-styled';
      }
      input.name = field.name;
      if (field.value !== undefined) input.value = field.value;
      if (field.placeholder && !(input instanceof HTMLSelectElement)) input.placeholder = field.placeholder;
      label.appendChild(input);
      if (field.help) {
        const help = document.createElement('small');
        help.textContent = field.help;
        label.appendChild(help);
      }
      this.form.appendChild(label);
    }
    this.followDependencies(fields);
    // Enter submits through the dialog's own button, not the form's page navigation
    this.form.addEventListener('submit', (event) => event.preventDefault());
    this.node.appendChild(this.form);
  }

  /** Hides each field that depends on another while that one has the value it names, as the user changes it. */
  private followDependencies(fields: readonly Field[]): void {
    const dependents = fields.filter((f) => f.hiddenWhen);
    if (!dependents.length) return;
    const update = () => {
      for (const field of dependents) {
        const { field: other, value } = field.hiddenWhen as { field: string; value: string };
        const input = this.form.elements.namedItem(field.name) as HTMLElement | null;
        const current = (this.form.elements.namedItem(other) as HTMLInputElement | null)?.value;
        const label = input?.closest('label');
        if (label) label.hidden = current === value;
      }
    };
    this.form.addEventListener('change', update);
    this.form.addEventListener('input', update);
    update();
  }

  getValue(): Record<string, string> {
    const values: Record<string, string> = {};
    for (const element of Array.from(this.form.elements)) {
      const input = element as HTMLInputElement;
      if (input.name) values[input.name] = input.value.trim();
    }
    return values;
  }
}

/** Asks with a form; null when cancelled. */
export async function formDialog(
  trans: TranslationBundle,
  title: string,
  fields: readonly Field[],
  accept: string,
): Promise<Record<string, string> | null> {
  const result = await showDialog({
    title,
    body: new FormBody(fields),
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: accept })],
    focusNodeSelector: 'input, select, textarea',
  });
  return result.button.accept ? result.value : null;
}
