import { type EmkitClient, type Environment, environmentStates, isSettled, stateTone, type Translate } from '@emkit/shared';
import { ensureStyles, h, LogView } from '@emkit/shared/views';
import { Widget } from '@lumino/widgets';
import type { ResourceStore } from '../resources.js';

const POLL_MS = 1000;

/**
 * An environment being built: its state from the store (live from the event stream) and its
 * creation log. The bridge keeps that log as a file without a stream, so it is read on from
 * the last offset each second until the environment settles, then once more.
 */
export class EnvironmentWidget extends Widget {
  private readonly log: LogView;
  private readonly badge: HTMLElement;
  private readonly reason: HTMLElement;
  private offset = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly client: EmkitClient,
    private readonly resources: ResourceStore,
    private readonly environmentId: string,
    t: Translate,
  ) {
    super();
    this.id = `emkit-environment-${environmentId}`;
    this.addClass('emkit-DetailWidget');
    ensureStyles(document);
    const environment = resources.find('environments', environmentId);
    this.badge = h(document, 'span', { className: 'emkit-badge emkit-state' });
    this.reason = h(document, 'p', { className: 'emkit-reason' });
    const view = h(document, 'div', { className: 'emkit-view emkit-environment-view' }, [
      h(document, 'h2', {}, [
        h(document, 'span', { className: 'emkit-title', text: environment?.name ?? environmentId }),
        this.badge,
      ]),
      this.reason,
      h(document, 'p', {
        className: 'emkit-muted',
        text: environment ? `${environment.manager} · Python ${environment.python} · ${environment.packages.join(' ')}` : '',
      }),
      h(document, 'h3', { text: t('Logs') }),
    ]);
    this.node.appendChild(view);
    this.log = new LogView(view, t);
    this.resources.changed.connect(this.render, this);
    this.render();
    void this.read();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.resources.changed.disconnect(this.render, this);
    super.dispose();
  }

  private current(): Environment | undefined {
    return this.resources.find('environments', this.environmentId);
  }

  private render(): void {
    const environment = this.current();
    this.badge.textContent = environment?.state ?? '';
    this.badge.className = `emkit-badge emkit-state emkit-tone-${environment ? stateTone(environment.state) : 'busy'}`;
    this.reason.textContent = environment?.stateReason ?? '';
    this.reason.hidden = !environment?.stateReason;
  }

  private async read(): Promise<void> {
    if (this.isDisposed) return;
    const settledBefore = this.current() ? isSettled(environmentStates, this.current()?.state as never) : false;
    try {
      for (;;) {
        const chunk = await this.client.api.getEnvironmentLog({
          params: { id: this.environmentId },
          query: { offset: this.offset },
        });
        if (this.isDisposed) return;
        if (chunk.text) this.log.append(chunk.text);
        const more = chunk.nextOffset > this.offset && chunk.nextOffset < chunk.size;
        this.offset = chunk.nextOffset;
        if (!more) break;
      }
    } catch {
      // gone or unreachable: the badge says which, the connection banner says the rest
    }
    if (!settledBefore && !this.isDisposed) this.timer = setTimeout(() => void this.read(), POLL_MS);
  }
}
