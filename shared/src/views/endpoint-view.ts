import type { EndpointViewAction, EndpointViewMessage, Translate } from '../feeds/protocol.js';
import { payloadLoggingPercent, STAGE_SETTINGS_STRINGS, stageLifecycle } from '../monitoring/stage-settings.js';
import { stageHealth, stateTone } from '../presentation.js';
import type { Endpoint, EndpointStage } from '../schemas/endpoints.js';
import { actionButton, h } from './dom.js';
import { DriftView } from './drift-view.js';
import { QualityView } from './quality-view.js';
import { ResourceChart } from './resource-chart.js';
import { StageSettingsForm } from './stage-settings-form.js';
import { StageStatsChart } from './stage-stats-chart.js';
import { ensureStyles } from './styles.js';
import { TryItBox } from './try-it.js';

/** Where a refused lifecycle action's words go, under the stage's state; empty until then. */
function hiddenProblem(doc: Document): HTMLElement {
  const slot = h(doc, 'div', { className: 'emkit-reason emkit-stage-problem', attrs: { role: 'alert' } });
  slot.hidden = true;
  return slot;
}

const LIFECYCLE_LABELS = { deactivate: 'Deactivate', activate: 'Activate', redeploy: 'Redeploy' } as const;
const LIFECYCLE_ACTIONS = { deactivate: 'deactivateStage', activate: 'activateStage', redeploy: 'redeployStage' } as const;

const DOT: Record<string, string> = { READY: '●', STARTING: '◐', RESTARTING: '◐', FAILED: '✕', STOPPED: '○' };

/**
 * One endpoint: its stages with their health, lifecycle and settings, a box to call it, each
 * stage's traffic per minute, its workers' CPU and memory, its inputs' drift and its accuracy
 * from feedback. Like TrainingView it renders its feed's messages and asks its host to act.
 */
export class EndpointView {
  readonly element: HTMLElement;
  readonly tryIt: TryItBox;
  readonly stats: StageStatsChart;
  readonly resources: ResourceChart;
  readonly drift: DriftView;
  readonly quality: QualityView;
  readonly settings: StageSettingsForm;
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
    const resourcesSection = h(doc, 'section', { className: 'emkit-section-resources' }, [
      h(doc, 'h3', { text: t('Workers: CPU and memory') }),
    ]);
    const driftSection = h(doc, 'section', { className: 'emkit-section-drift' }, [
      h(doc, 'h3', { text: t('Data drift') }),
      h(doc, 'div', { className: 'emkit-toolbar' }, [
        actionButton(doc, 'refreshMonitoring', t('Refresh'), () => this.act({ action: 'refreshMonitoring' })),
      ]),
    ]);
    const qualitySection = h(doc, 'section', { className: 'emkit-section-quality' }, [
      h(doc, 'h3', { text: t('Model quality') }),
    ]);
    const settingsSection = h(doc, 'div', { className: 'emkit-section-settings' });
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
        actionButton(doc, 'addAlert', t('Add alert…'), () => this.act({ action: 'addAlert', stage: null })),
      ]),
      settingsSection,
      tryItSection,
      statsSection,
      resourcesSection,
      driftSection,
      qualitySection,
    ]);
    parent.appendChild(this.element);
    this.tryIt = new TryItBox(tryItSection, t, (stage, body) => {
      const requestId = ++this.requests;
      this.pending = requestId;
      this.act({ action: 'predict', requestId, stage, body });
    });
    this.stats = new StageStatsChart(statsSection, t);
    this.resources = new ResourceChart(resourcesSection, t);
    this.drift = new DriftView(driftSection, t);
    this.quality = new QualityView(qualitySection, t);
    this.settings = new StageSettingsForm(settingsSection, t, (stage, body) => this.act({ action: 'updateStage', stage, body }));
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
      case 'usage':
        this.resources.setUsage(message.usage);
        break;
      case 'usageRound':
        this.resources.addRound(message.data);
        break;
      case 'drift':
        this.drift.setDrift(message.drift);
        break;
      case 'quality':
        this.quality.setQuality(message.quality);
        break;
      case 'stageSaved':
        this.settings.answered(message.stage, null);
        this.stageProblem(message.stage, '');
        break;
      case 'stageError':
        if (this.settings.openStage === message.stage) this.settings.answered(message.stage, message);
        else this.stageProblem(message.stage, message.message);
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

  /** Draws what needs a laid-out box (a tab shown after it was filled). */
  flush(): void {
    this.stats.flush();
    this.resources.flush();
  }

  dispose(): void {
    this.stats.dispose();
    this.resources.dispose();
    this.drift.dispose();
    this.quality.dispose();
    this.element.remove();
  }

  /** A lifecycle action refused: the bridge's words under the stage's row, until the next try. */
  private stageProblem(stage: string, message: string): void {
    const rows = Array.from(this.stages.querySelectorAll('tr[data-stage]')) as HTMLElement[];
    const slot = rows.find((r) => r.dataset.stage === stage)?.querySelector('.emkit-stage-problem') as HTMLElement | null;
    if (slot) {
      slot.textContent = message;
      slot.hidden = !message;
    }
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
        const lifecycle = stageLifecycle(stage);
        const logging = payloadLoggingPercent(stage);
        // the toolbar is a flex box inside the cell: a flex <td> would leave the table's layout
        const actions = h(doc, 'td', {}, [
          h(doc, 'div', { className: 'emkit-toolbar' }, [
            lifecycle
              ? actionButton(doc, LIFECYCLE_ACTIONS[lifecycle], this.t(LIFECYCLE_LABELS[lifecycle]), () =>
                  this.act({ action: LIFECYCLE_ACTIONS[lifecycle], stage: stage.name }),
                )
              : null,
            actionButton(doc, 'stageSettings', this.t('Settings…'), () => this.settings.open(stage)),
            actionButton(doc, 'addAlert', this.t('Add alert…'), () => this.act({ action: 'addAlert', stage: stage.name })),
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
            logging !== null
              ? h(doc, 'div', {
                  className: 'emkit-payload-logging',
                  text: this.t(STAGE_SETTINGS_STRINGS.loggingOn, logging),
                })
              : null,
            stage.memoryLimitMb != null
              ? h(doc, 'div', { className: 'emkit-muted', text: this.t('memory limit {0} MB', stage.memoryLimitMb) })
              : null,
            hiddenProblem(doc),
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
