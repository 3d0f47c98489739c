/** A small element builder: text always goes in as text nodes, never as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  props: { className?: string; text?: string; title?: string; attrs?: Record<string, string> } = {},
  children: (Node | null | undefined)[] = [],
): HTMLElementTagNameMap[K] {
  const element = doc.createElement(tag);
  if (props.className) element.className = props.className;
  if (props.text !== undefined) element.textContent = props.text;
  if (props.title) element.title = props.title;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  for (const child of children) if (child) element.appendChild(child);
  return element;
}

/** A button that says which action it is, for tests and for the hosts' styling. */
export function actionButton(doc: Document, action: string, label: string, onClick: () => void): HTMLButtonElement {
  const button = h(doc, 'button', {
    className: 'emkit-button',
    text: label,
    attrs: { type: 'button', 'data-emkit-action': action },
  });
  button.addEventListener('click', onClick);
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
