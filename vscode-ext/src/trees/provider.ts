import type { ResourceKind, ResourceStore } from '@emkit/shared';
import * as vscode from 'vscode';
import { message, type Node } from './node.js';

/**
 * What every emkit tree shares: its rows come from the store, and while the store isn't
 * loaded the tree holds one message row instead (loading, or why the bridge isn't there
 * and what to do), so an empty tree never hides a broken connection.
 */
export abstract class ResourceTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    protected readonly store: ResourceStore,
    private readonly viewId: string,
  ) {
    // only for what the tree shows: a refresh re-renders its rows, and a row's action clicked during
    // one reaches its command without the row (VS Code drops a handle it is still resolving)
    this.subscription = new vscode.Disposable(
      store.onChange((changed) => {
        if (changed === null || this.kinds.includes(changed)) this.emitter.fire(undefined);
      }),
    );
  }

  /** The kinds of resource its rows show. */
  protected abstract readonly kinds: readonly ResourceKind[];
  /** The top rows when the store is loaded. */
  protected abstract roots(): Node[];
  /** The text shown when the store is loaded and there is nothing. */
  protected abstract emptyText(): string;

  getTreeItem(node: Node): vscode.TreeItem {
    return node.item;
  }

  getChildren(node?: Node): Node[] {
    if (node) return node.children?.() ?? [];
    const state = this.store.state;
    if (state.kind === 'loading' || state.kind === 'empty')
      return [message(`${this.viewId}:loading`, vscode.l10n.t('Loading…'), 'loading~spin')];
    if (state.kind === 'failed') return [message(`${this.viewId}:failed`, state.message, 'warning')];
    const roots = this.roots();
    return roots.length ? roots : [message(`${this.viewId}:empty`, this.emptyText())];
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
