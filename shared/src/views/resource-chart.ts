import uPlot from 'uplot';
import type { Translate } from '../feeds/protocol.js';
import { type UsageMetric, UsageSeries } from '../monitoring/usage-series.js';
import type { ResourceUsage, UsageEventData } from '../schemas/monitoring.js';
import { FrameBatch, h } from './dom.js';
import { formatValue } from './metrics-chart.js';
import { onThemeChange, themeColors } from './styles.js';

const HEIGHT = 150;
const PALETTE = ['#1976d2', '#d32f2f', '#388e3c', '#f57c00', '#7b1fa2', '#0097a7', '#c2185b', '#5d4037'];

interface MetricChart {
  metric: UsageMetric;
  title: string;
  box: HTMLElement;
  plot: uPlot | null;
  /** the processes the plot was made with: another set needs a new plot (uPlot's series are fixed) */
  keys: string;
}

/**
 * A training's ranks' or an endpoint's workers' CPU and resident memory over time, one line per
 * process, with each process's latest figures in a table beneath (the GPU's too where the bridge
 * found one). The stored series first, then each sampling round as it comes.
 */
export class ResourceChart {
  readonly element: HTMLElement;
  readonly series = new UsageSeries();
  private readonly doc: Document;
  private readonly empty: HTMLElement;
  private readonly table: HTMLElement;
  private readonly charts: MetricChart[];
  private readonly frame: FrameBatch;
  private readonly resize: ResizeObserver | null;
  private readonly stopWatchingTheme: () => void;
  private gpuShown = false;

  constructor(
    parent: HTMLElement,
    private readonly t: Translate,
  ) {
    this.doc = parent.ownerDocument;
    const doc = this.doc;
    this.frame = new FrameBatch(doc, () => this.draw());
    this.empty = h(doc, 'p', { className: 'emkit-muted emkit-resources-empty', text: t('No resource samples yet.') });
    this.table = h(doc, 'table', { className: 'emkit-table emkit-resource-table' });
    const chart = (metric: UsageMetric, title: string): MetricChart => ({
      metric,
      title,
      box: h(doc, 'figure', { className: 'emkit-resource-chart', attrs: { 'data-metric': metric } }, [
        h(doc, 'figcaption', {}, [h(doc, 'span', { className: 'emkit-metric-tag', text: title })]),
      ]),
      plot: null,
      keys: '',
    });
    this.charts = [
      chart('cpuPercent', t('CPU %')),
      chart('memoryMb', t('Memory (MB)')),
      chart('gpuPercent', t('GPU %')),
      chart('gpuMemoryMb', t('GPU memory (MB)')),
    ];
    this.element = h(doc, 'div', { className: 'emkit-resources' }, [
      this.empty,
      h(
        doc,
        'div',
        { className: 'emkit-resource-charts' },
        this.charts.map((c) => c.box),
      ),
      this.table,
    ]);
    parent.appendChild(this.element);
    const View = doc.defaultView as (Window & typeof globalThis) | null;
    this.resize = View?.ResizeObserver ? new View.ResizeObserver(() => this.fit()) : null;
    this.resize?.observe(this.element);
    this.stopWatchingTheme = onThemeChange(doc, () => this.redraw());
    this.render();
  }

  setUsage(usage: ResourceUsage, stage: string | null = null): void {
    this.series.set(usage, stage);
    this.render();
  }

  addRound(data: UsageEventData, stage: string | null = null): void {
    if (this.series.addRound(data, stage)) this.render();
  }

  /** Draws now (a tab shown after it was filled has its width only now). */
  flush(): void {
    this.frame.pending = false;
    this.draw();
  }

  dispose(): void {
    this.resize?.disconnect();
    this.stopWatchingTheme();
    for (const chart of this.charts) chart.plot?.destroy();
    this.element.remove();
  }

  private render(): void {
    const empty = this.series.size === 0;
    this.empty.hidden = !empty;
    this.table.hidden = empty;
    this.gpuShown = this.series.gpu;
    for (const chart of this.charts) chart.box.hidden = empty || (!this.gpuShown && chart.metric.startsWith('gpu'));
    this.renderTable();
    this.frame.schedule();
  }

  private renderTable(): void {
    const doc = this.doc;
    const t = this.t;
    const gpu = this.gpuShown;
    const headers = [
      t('Process'),
      'PID',
      t('CPU %'),
      t('Memory (MB)'),
      t('Threads'),
      t('Open files'),
      ...(gpu ? [t('GPU %'), t('GPU memory (MB)')] : []),
    ];
    const number = (value: number | null | undefined) => (value === null || value === undefined ? '—' : formatValue(value));
    this.table.replaceChildren(
      h(doc, 'thead', {}, [
        h(
          doc,
          'tr',
          {},
          headers.map((text) => h(doc, 'th', { text })),
        ),
      ]),
      h(
        doc,
        'tbody',
        {},
        this.series
          .latest()
          .map(({ series, sample }) =>
            h(doc, 'tr', { attrs: { 'data-process': series.label, 'data-kind': series.kind } }, [
              h(doc, 'td', { text: series.label }),
              h(doc, 'td', { text: series.pid === null ? '—' : String(series.pid) }),
              h(doc, 'td', { className: 'emkit-num', text: number(sample?.cpuPercent) }),
              h(doc, 'td', { className: 'emkit-num', text: number(sample?.memoryMb) }),
              h(doc, 'td', { className: 'emkit-num', text: number(sample?.threads) }),
              h(doc, 'td', { className: 'emkit-num', text: number(sample?.openFiles) }),
              ...(gpu
                ? [
                    h(doc, 'td', { className: 'emkit-num', text: number(sample?.gpuPercent) }),
                    h(doc, 'td', { className: 'emkit-num', text: number(sample?.gpuMemoryMb) }),
                  ]
                : []),
            ]),
          ),
      ),
    );
  }

  private redraw(): void {
    for (const chart of this.charts) {
      chart.plot?.destroy();
      chart.plot = null;
    }
    this.draw();
  }

  private draw(): void {
    if (this.series.size === 0) return;
    const processes = this.series.list();
    const keys = processes.map((p) => p.key).join('\n');
    for (const chart of this.charts) {
      if (chart.box.hidden) continue;
      const columns = this.series.columns(chart.metric);
      if (chart.plot && chart.keys === keys) {
        chart.plot.setData(columns as uPlot.AlignedData);
        continue;
      }
      chart.plot?.destroy();
      chart.plot = null;
      const width = Math.max(0, Math.floor(chart.box.clientWidth) - 10);
      if (!width) continue;
      const colors = themeColors(this.element);
      const axis = {
        stroke: colors.foreground,
        grid: { stroke: colors.grid, width: 1 },
        ticks: { stroke: colors.grid, width: 1 },
      };
      try {
        chart.plot = new uPlot(
          {
            width,
            height: HEIGHT,
            legend: { show: true, live: false },
            scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
            axes: [axis, { ...axis, size: 50 }],
            series: [
              {},
              ...processes.map((p, i) => ({
                label: p.label,
                stroke: PALETTE[i % PALETTE.length] as string,
                width: 1.5,
                spanGaps: true,
                points: { show: false },
              })),
            ],
          },
          columns as uPlot.AlignedData,
          chart.box,
        );
        chart.keys = keys;
      } catch {
        chart.plot = null; // no canvas in this DOM: the table still has the figures
      }
    }
  }

  private fit(): void {
    for (const chart of this.charts) {
      const width = Math.max(0, Math.floor(chart.box.clientWidth) - 10);
      if (!width || chart.box.hidden) continue;
      if (chart.plot) chart.plot.setSize({ width, height: HEIGHT });
      else this.draw();
    }
  }
}
