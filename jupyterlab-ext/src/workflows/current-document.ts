import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { DocumentRegistry, IDocumentWidget } from '@jupyterlab/docregistry';

/** The notebook (or script) in front of the user, if the current tab is one: what Submit and Schedule… act on. */
export function currentDocument(app: JupyterFrontEnd): IDocumentWidget | null {
  const widget = app.shell.currentWidget as Partial<IDocumentWidget> | null;
  const context = widget?.context as DocumentRegistry.Context | undefined;
  if (!context?.path || !/\.(ipynb|py)$/.test(context.path)) return null;
  return widget as IDocumentWidget;
}
