// The DOM for one device: name, current prediction with a meter per class, latency, rates, and
// two uPlot charts (signal, probabilities over time). Built once, then updated from DeviceState
// on animation frames only.
import uPlot from 'uplot';
import type { DeviceState } from './device-state.js';
import { el, setText } from './dom.js';
import { colour } from './palette.js';
import { ProbabilityMeters } from './probability-meters.js';

const chartHeight = 120;

function chartOptions(width: number, names: string[], yRange?: [number, number]): uPlot.Options {
  return {
    width,
    height: chartHeight,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: false }, y: yRange ? { range: yRange } : {} },
    axes: [{ size: 24, font: '10px system-ui' }, { size: 36, font: '10px system-ui' }],
    series: [{}, ...names.map((label, i) => ({ label, stroke: colour(i), width: 1.25, points: { show: false } }))],
  };
}

export class DeviceCard {
  readonly root: HTMLElement;
  private readonly label: HTMLElement;
  private readonly latency: HTMLElement;
  private readonly rate: HTMLElement;
  private readonly meters: ProbabilityMeters;
  private readonly signalBox: HTMLElement;
  private readonly probBox: HTMLElement;
  private signalChart?: uPlot;
  private probChart?: uPlot;
  private chartsKey = '';
  /** chart width in CSS px, from the view's ResizeObserver: render() never reads layout */
  private width = 300;
  private renderedVersion = -1;
  /** set by the view's IntersectionObserver: charts of off-screen cards are not redrawn */
  visible = true;

  constructor(readonly device: string) {
    const id = `dev-${device.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
    this.root = el('article', { class: 'card', 'data-device': device, 'aria-labelledby': `${id}-name` });
    const head = el('header');
    head.append(el('h3', { id: `${id}-name` }, device));
    this.label = el('output', { class: 'label', 'aria-label': `Prediction for ${device}` }, '–');
    head.append(this.label);
    const stats = el('p', { class: 'stats' });
    this.latency = el('span', { class: 'latency', 'aria-label': `Latency for ${device}` }, 'latency –');
    this.rate = el('span', { class: 'rate', 'aria-label': `Message rate for ${device}` }, '– msg/s');
    stats.append(this.latency, this.rate);
    this.meters = new ProbabilityMeters(device);
    this.signalBox = el('figure', { class: 'chart signal', role: 'img', 'aria-label': `Incoming signal of ${device}` });
    this.probBox = el('figure', { class: 'chart probs', role: 'img', 'aria-label': `Class probabilities over time for ${device}` });
    this.root.append(head, stats, this.meters.root, this.signalBox, this.probBox);
  }

  /** Redraws what changed since the last frame. */
  render(state: DeviceState, now: number): void {
    const snap = state.snapshot(now);
    setText(this.rate, `${snap.samplesPerSecond.toFixed(0)} samples/s · ${snap.predictionsPerSecond.toFixed(0)} pred/s`);
    if (state.version === this.renderedVersion) return;
    this.renderedVersion = state.version;
    setText(this.label, snap.label === undefined ? '–' : `${snap.label} ${((snap.probability ?? 0) * 100).toFixed(0)}%`);
    setText(this.latency, snap.latencyMs === undefined ? 'latency –' : `latency ${snap.latencyMs.toFixed(1)} ms`);
    this.meters.update(snap.values);
    if (!this.visible) return;
    this.renderCharts(state);
  }

  private renderCharts(state: DeviceState): void {
    const width = this.width;
    const key = `${state.channels}|${state.labels.join(',')}`;
    if (key !== this.chartsKey) {
      this.signalChart?.destroy();
      this.probChart?.destroy();
      this.signalChart = this.probChart = undefined;
      this.chartsKey = key;
    }
    if (state.signal && state.signal.length > 1) {
      this.signalChart ??= new uPlot(chartOptions(width, Array.from({ length: state.channels }, (_, i) => `ch${i}`)), undefined, this.signalBox);
      this.signalChart.setData(state.signal.columns() as uPlot.AlignedData);
    }
    if (state.probabilities && state.probabilities.length > 1) {
      this.probChart ??= new uPlot(chartOptions(width, state.labels, [0, 1]), undefined, this.probBox);
      this.probChart.setData(state.probabilities.columns() as uPlot.AlignedData);
    }
  }

  /** `width`: the card's content width (from a ResizeObserver entry). */
  resize(width: number): void {
    this.width = Math.max(160, Math.floor(width));
    for (const c of [this.signalChart, this.probChart]) if (c && c.width !== this.width) c.setSize({ width: this.width, height: chartHeight });
  }

  destroy(): void {
    this.signalChart?.destroy();
    this.probChart?.destroy();
    this.root.remove();
  }
}
