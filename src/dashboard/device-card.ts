// The DOM for one device: name, current prediction with a meter per class, latency, rates, and
// two uPlot charts (signal, probabilities over time). Built once, then updated on animation
// frames from what the feed worker sent (feed/protocol.ts DeviceUpdate).
import uPlot from 'uplot';
import { el, setText } from './dom.js';
import type { DeviceUpdate } from './feed/protocol.js';
import { colour } from './palette.js';
import { ProbabilityMeters } from './probability-meters.js';
import { type ChartData, unpack } from './series-window.js';

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
  /** the newest state from the feed worker, and chart windows not drawn yet */
  private latest?: DeviceUpdate;
  private signal?: ChartData;
  private probabilities?: ChartData;
  /** performance.now() of the last render */
  renderedAt = -Infinity;
  /** something arrived that is not on screen yet */
  dirty = false;
  /** set by the view's IntersectionObserver: off-screen cards are not drawn until they show */
  visible = false;

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

  /** Keeps what the feed worker sent; drawn by render(). */
  update(u: DeviceUpdate): void {
    this.latest = u;
    if (u.signal) this.signal = u.signal;
    if (u.probabilities) this.probabilities = u.probabilities;
    this.dirty = true;
  }

  /** Writes what changed since the last render: text where it differs, charts with new data. */
  render(now: number): void {
    this.dirty = false;
    this.renderedAt = now;
    const u = this.latest;
    if (!u) return;
    const snap = u.snapshot;
    setText(this.rate, `${snap.samplesPerSecond.toFixed(0)} samples/s · ${snap.predictionsPerSecond.toFixed(0)} pred/s`);
    setText(this.label, snap.label === undefined ? '–' : `${snap.label} ${((snap.probability ?? 0) * 100).toFixed(0)}%`);
    setText(this.latency, snap.latencyMs === undefined ? 'latency –' : `latency ${snap.latencyMs.toFixed(1)} ms`);
    this.meters.update(snap.values);
    if (!this.signal && !this.probabilities) return;
    const key = `${u.channels}|${u.labels.join(',')}`;
    if (key !== this.chartsKey) {
      this.signalChart?.destroy();
      this.probChart?.destroy();
      this.signalChart = this.probChart = undefined;
      this.chartsKey = key;
    }
    if (this.signal && this.signal.rows > 1) {
      this.signalChart ??= new uPlot(chartOptions(this.width, Array.from({ length: u.channels }, (_, i) => `ch${i}`)), undefined, this.signalBox);
      this.signalChart.setData(unpack(this.signal) as unknown as uPlot.AlignedData);
    }
    if (this.probabilities && this.probabilities.rows > 1) {
      this.probChart ??= new uPlot(chartOptions(this.width, u.labels, [0, 1]), undefined, this.probBox);
      this.probChart.setData(unpack(this.probabilities) as unknown as uPlot.AlignedData);
    }
    this.signal = this.probabilities = undefined;
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
