import { ResourceStore as SharedResourceStore } from '@emkit/shared';
import { type ISignal, Signal } from '@lumino/signaling';

export { displayName, type LoadState, type ResourceKind, type Resources } from '@emkit/shared';

/** The shared store with a Lumino signal, which the sidebar's React views follow with useSignal. */
export class ResourceStore extends SharedResourceStore {
  private readonly _changed = new Signal<this, void>(this);

  constructor() {
    super();
    this.onChange(() => this._changed.emit());
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }
}
