import type { EndpointViewAction, EndpointViewMessage, Translate } from '../feeds/protocol.js';
import { stageHealth, stateTone } from '../presentation.js';
import type { Endpoint, EndpointStage } from '../schemas/endpoints.js';
import { actionButton, h } from './dom.js';
import { StageStatsChart } from './stage-stats-chart.js';
import { ensureStyles } from './styles.js';
import { TryItBox } from './try-it.js';

const DOT: Record<string, string> = { READY: '●', STARTING: '◐', RESTARTING: '◐', FAILED: '✕', STOPPED: '○' };

/**
 * One endpoint: its stages with their health and actions, a box to call it, and each
 * stage's traffic per minute. Like TrainingView it renders its feed's messages and asks
 * its host to act.
 */
export class EndpointView {
  readonly element: HTMLElement;
  readonly tryIt: TryItBox;
  readonly stats: StageStatsChart;
  private readonly doc: Document;
  private readonly t: Translate;
  private readonly act: (action: EndpointViewAction) => void;
  private readonly title: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly reason: HTMLElement;
  private readonly error: HTMLElement;
  private readonly stages: HTMLElement;
  private readonly url: HTMLElement;
  private endpoint: Endpoint | null = null;
  private requests = 0;
  private pending: number | null = null;

  constructor(parent: HTMLElement, options: { t: Translate; act: (action: EndpointViewAction) => void }) {
    this.doc = parent.ownerDocument;
    ensureStyles(this.doc);
    const doc = this.doc;
    const { t } = options;
    this.t = t;
    this.act = options.act;
    this.title = h(doc, 'span', { className: 'emkit-title' });
    this.badge = h(doc, 'span', { className: 'emkit-badge emkit-state' });
    this.reason = h(doc, 'p', { className: 'emkit-reason' });
    this.error = h(doc, 'p', { className: 'emkit-reason emkit-feed-error' });
    this.url = h(doc, 'p', { className: 'emkit-muted emkit-endpoint-url' });
    this.stages = h(doc, 'tbody');
    const tryItSection = h(doc, 'section', { className: 'emkit-section-tryit' }, [h(doc, 'h3', { text: t('Try it') })]);
    const statsSection = h(doc, 'section', { className: 'emkit-section-stats' }, [
      h(doc, 'h3', { text: t('Requests per minute') }),
    ]);
    const headers = [t('Stage'), t('State'), t('Model'), t('Runs on'), t('Ready'), t('Resource path'), ''];
    this.element = h(doc, 'div', { className: 'emkit-view emkit-endpoint-view' }, [
      h(doc, 'h2', {}, [this.title, this.badge]),
      this.url,
      this.reason,
      this.error,
      h(doc, 'h3', { text: t('Stages') }),
      h(doc, 'table', { className: 'emkit-table emkit-stages' }, [
        h(doc, 'thead', {}, [
          h(
            doc,
            'tr',
            {},
            headers.map((text) => h(doc, 'th', { text })),
          ),
        ]),
        this.stages,
      ]),
      h(doc, 'div', { className: 'emkit-toolbar' }, [
        actionButton(doc, 'addStage', t('Add stage'), () => this.act({ action: 'addStage' })),
      ]),
      tryItSection,
      statsSection,
    ]);
    parent.appendChild(this.element);
    this.tryIt = new TryItBox(tryItSection, t, (stage, body) => {
      const requestId = ++this.requests;
      this.pending = requestId;
      this.act({ action: 'predict', requestId, stage, body });
    });
    this.stats = new StageStatsChart(statsSection, t);
  }

  handle(message: EndpointViewMessage): void {
    switch (message.type) {
      case 'endpoint':
        this.endpoint = message.endpoint;
        this.error.textContent = '';
        this.render();
        break;
      case 'stats':
        this.stats.setMinutes(message.minutes);
        break;
      case 'statMinute':
        this.stats.addMinutes([message.minute]);
        break;
      case 'prediction':
        // an answer to a request sent before the last one is stale: the box shows the last
        if (message.requestId === this.pending) this.tryIt.showResult(message.status, message.body, message.latencyMs);
        break;
      case 'error':
        if (this.pending !== null) this.tryIt.showError(message.message);
        else this.error.textContent = message.message;
        this.pending = null;
        break;
    }
  }

  dispose(): void {
    this.stats.dispose();
    this.element.remove();
  }

  /** This machine, or the cluster with its Ray Serve replicas (or their autoscaling bounds). */
  private runsOn(stage: EndpointStage): HTMLElement {
    const doc = this.doc;
    if (!stage.cluster) return h(doc, 'td', { className: 'emkit-runs-on', text: this.t('this machine') });
    const replicas = stage.autoscaling
      ? this.t('{0} to {1} replicas, autoscaling', stage.autoscaling.minReplicas, stage.autoscaling.maxReplicas)
      : this.t('{0} replicas', stage.instanceCount);
    return h(doc, 'td', { className: 'emkit-runs-on', attrs: { 'data-cluster': stage.cluster } }, [
      h(doc, 'span', { text: stage.cluster }),
      h(doc, 'div', { className: 'emkit-muted', text: replicas }),
    ]);
  }

  private render(): void {
    const endpoint = this.endpoint;
    if (!endpoint) return;
    const doc = this.doc;
    this.title.textContent = endpoint.name;
    this.badge.textContent = endpoint.state;
    this.badge.className = `emkit-badge emkit-state emkit-tone-${stateTone(endpoint.state)}`;
    this.url.textContent = `POST ${endpoint.url}`;
    this.reason.textContent = endpoint.stateReason ?? '';
    this.reason.hidden = !endpoint.stateReason;
    const stages = [...endpoint.stages].sort((a, b) => Number(b.default) - Number(a.default) || a.name.localeCompare(b.name));
    this.stages.replaceChildren(
      ...stages.map((stage) => {
        const health = stageHealth(stage);
        const name = h(doc, 'td', { text: stage.name }, [
          stage.default ? h(doc, 'span', { className: 'emkit-badge emkit-default', text: this.t('Default') }) : null,
        ]);
        // the toolbar is a flex box inside the cell: a flex <td> would leave the table's layout
        const actions = h(doc, 'td', {}, [
          h(doc, 'div', { className: 'emkit-toolbar' }, [
            stage.default
              ? null
              : actionButton(doc, 'setDefault', this.t('Set default'), () =>
                  this.act({ action: 'setDefault', stage: stage.name }),
                ),
            stage.default
              ? null
              : actionButton(doc, 'deleteStage', this.t('Delete'), () => this.act({ action: 'deleteStage', stage: stage.name })),
          ]),
        ]);
        const row = h(doc, 'tr', { attrs: { 'data-stage': stage.name } }, [
          name,
          h(doc, 'td', {}, [
            h(doc, 'span', { className: `emkit-badge emkit-tone-${stateTone(stage.state)}`, text: stage.state }),
            stage.stateReason ? h(doc, 'div', { className: 'emkit-muted', text: stage.stateReason }) : null,
          ]),
          h(doc, 'td', { text: `${stage.model.name}:${stage.model.version}` }),
          this.runsOn(stage),
          h(doc, 'td', { className: `emkit-tone-${health.tone}` }, [
            h(doc, 'span', { text: `${health.ready}/${health.total} ` }),
            h(doc, 'span', { className: 'emkit-dots', text: health.instances.map((s) => DOT[s] ?? '?').join('') }),
          ]),
          h(doc, 'td', { text: stage.resourcePath }),
          actions,
        ]);
        return row;
      }),
    );
    this.tryIt.setStages(
      stages.map((s) => s.name),
      endpoint.defaultStage,
    );
  }
}
