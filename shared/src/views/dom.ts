type ElementProps = { className?: string; text?: string; title?: string; attrs?: Record<string, string> };

function build<E extends HTMLElement>(element: E, props: ElementProps, children: (Node | null | undefined)[]): E {
  if (props.className) element.className = props.className;
  if (props.text !== undefined) element.textContent = props.text;
  if (props.title) element.title = props.title;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  for (const child of children) if (child) element.appendChild(child);
  return element;
}

/** A small element builder: text always goes in as text nodes, never as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  props: ElementProps = {},
  children: (Node | null | undefined)[] = [],
): HTMLElementTagNameMap[K] {
  return build(doc.createElement(tag), props, children);
}

/**
 * The elements the views' controls are made of. JupyterLab's are plain HTML; VS Code's
 * webviews use @vscode-elements' components, which look like the rest of VS Code.
 */
export interface ControlTags {
  button: string;
  textField: string;
  textArea: string;
  select: string;
  option: string;
}

/**
 * What the views use of a control, plain or custom: a value, a disabled state, and the
 * `input`/`change`/`click`/`keydown` events every one of them fires on itself.
 */
export type ControlElement = HTMLElement & { value: string; disabled: boolean };

const PLAIN_CONTROLS: ControlTags = {
  button: 'button',
  textField: 'input',
  textArea: 'textarea',
  select: 'select',
  option: 'option',
};
const controlsOf = new WeakMap<Document, ControlTags>();

/**
 * Chooses the controls of the views made in `doc` from now on (the elements must provide
 * `value` and `disabled`); the tags not given stay plain HTML.
 */
export function useControls(doc: Document, tags: Partial<ControlTags>): void {
  controlsOf.set(doc, { ...PLAIN_CONTROLS, ...tags });
}

/**
 * A control of the kind asked for, in the document's chosen element. `label` is its
 * accessible name: the `aria-label` attribute, and the `label` property where the element
 * has one (vscode-elements' fields name their inner input from it, not from the host).
 */
export function control(
  doc: Document,
  kind: keyof ControlTags,
  props: ElementProps & { label?: string } = {},
  children: (Node | null | undefined)[] = [],
): ControlElement {
  const tag = (controlsOf.get(doc) ?? PLAIN_CONTROLS)[kind];
  const element = build(doc.createElement(tag), props, children) as ControlElement;
  if (props.label !== undefined) {
    element.setAttribute('aria-label', props.label);
    if ('label' in element) element.label = props.label;
  }
  return element;
}

/** A button that says which action it is, for tests and for the hosts' styling. */
export function actionButton(doc: Document, action: string, label: string, onClick: () => void): ControlElement {
  const button = control(doc, 'button', {
    className: 'emkit-button',
    text: label,
    attrs: { type: 'button', 'data-emkit-action': action },
  });
  // a disabled <button> gets no clicks; a custom one may still be clicked from script
  button.addEventListener('click', () => {
    if (!button.disabled) onClick();
  });
  return button;
}

/**
 * Work done once on the next animation frame however often it is asked for before then (a
 * macrotask where there are no frames, in tests): a burst of log chunks or metric points
 * costs one redraw. `pending` lets a view draw now instead (`flush`) and drop the frame's turn.
 */
export class FrameBatch {
  pending = false;

  constructor(
    private readonly doc: Document,
    private readonly work: () => void,
  ) {}

  schedule(): void {
    if (this.pending) return;
    this.pending = true;
    const run = () => {
      if (!this.pending) return;
      this.pending = false;
      this.work();
    };
    const view = this.doc.defaultView;
    if (view?.requestAnimationFrame) view.requestAnimationFrame(run);
    else setTimeout(run, 0);
  }
}
