// The extension host's `vscode` module, as far as building tree rows needs it: what the trees'
// unit tests give `vi.mock('vscode', …)`. l10n.t fills `{0}`-style placeholders as VS Code does.
export function fakeVscode() {
  class TreeItem {
    id?: string;
    description?: string;
    tooltip?: string;
    iconPath?: unknown;
    contextValue?: string;
    command?: unknown;
    constructor(
      readonly label: string,
      readonly collapsibleState: number,
    ) {}
  }
  class EventEmitter<T> {
    private readonly listeners = new Set<(value: T) => void>();
    event = (listener: (value: T) => void) => {
      this.listeners.add(listener);
      return { dispose: () => this.listeners.delete(listener) };
    };
    fire(value: T) {
      for (const listener of this.listeners) listener(value);
    }
    dispose() {
      this.listeners.clear();
    }
  }
  class Disposable {
    constructor(readonly dispose: () => void) {}
  }
  return {
    l10n: { t: (text: string, ...args: unknown[]) => text.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)])) },
    env: { language: 'en' },
    TreeItem,
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    ThemeIcon: class {
      constructor(readonly id: string) {}
    },
    ThemeColor: class {},
    EventEmitter,
    Disposable,
  };
}
