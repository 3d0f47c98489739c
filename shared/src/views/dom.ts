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

/** The page's animation frame where there is one (browsers), a macrotask elsewhere (tests). */
export function nextFrame(doc: Document, callback: () => void): void {
  const view = doc.defaultView;
  if (view?.requestAnimationFrame) view.requestAnimationFrame(() => callback());
  else setTimeout(callback, 0);
}
