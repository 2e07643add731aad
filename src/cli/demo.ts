// `s7rt demo`: embedded broker + simulated sensors + runtime, printing live predictions and their
// accuracy against the simulator's ground truth. Ctrl-C (or --duration) stops everything.
import type { Prediction } from '../api';
import type { WireSample } from '../mqtt/payload';
import { loadRecordings } from '../../devices/sensors/recordings';
import { startDashboardServer, type DashboardServer } from '../dashboard/server';
import { SensorFleet } from '../../devices/sensors/simulator';
import { demoOptionSpec, int, num, parseCommandLine, str } from './args';
import { demoHelp } from './help';
import { defaultModelPath, defaultRecordingsPath } from './paths';
import { startRun, untilSignal } from './run';
import { formatStatus } from './status-line';

/** Accuracy per device after the first `warmup` samples of each session (the state needs a moment to settle). */
export class AccuracyMeter {
  total = 0;
  correct = 0;
  private readonly latest = new Map<string, { label?: string; truth?: string; p?: number }>();
  private readonly sessionStart = new Map<string, number>();

  constructor(readonly warmup: number) {}

  observe(device: string, sample: WireSample, p: Prediction): void {
    this.latest.set(device, { label: p.label, truth: sample.truth, p: p.probability });
    if (sample.reset) this.sessionStart.set(device, sample.seq);
    if (sample.truth === undefined || sample.seq - (this.sessionStart.get(device) ?? 0) < this.warmup) return;
    this.total++;
    if (p.label === sample.truth) this.correct++;
  }

  get accuracy(): number {
    return this.total === 0 ? Number.NaN : this.correct / this.total;
  }

  line(maxDevices = 6): string {
    const shown = [...this.latest.entries()].slice(0, maxDevices).map(([d, v]) => `${d}:${v.label}${v.label === v.truth ? '✓' : `✗(${v.truth})`}`);
    const acc = Number.isNaN(this.accuracy) ? '-' : `${(100 * this.accuracy).toFixed(1)}%`;
    return `demo: accuracy ${acc} of ${this.total} · ${shown.join(' ')}${this.latest.size > maxDevices ? ' …' : ''}`;
  }
}

export async function demoCommand(argv: string[], print: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const raw = parseCommandLine(argv, demoOptionSpec);
  if (raw.help) {
    print(demoHelp);
    return 0;
  }
  raw.model ??= defaultModelPath;
  raw['status-interval'] ??= '5';
  const recordings = await loadRecordings(str(raw, 'recordings') ?? defaultRecordingsPath);
  const duration = num(raw, 'duration', 0, 0);
  const meter = new AccuracyMeter(recordings.sampleRateHz);
  const running = await startRun({ raw, print, events: { onPrediction: (d, s, p) => meter.observe(d, s, p) } });
  const fleet = new SensorFleet({
    broker: running.brokerUrl,
    recordings,
    devices: int(raw, 'devices', 8, 1),
    rateHz: num(raw, 'rate', recordings.sampleRateHz, 0.1),
    segmentSeconds: num(raw, 'segment-seconds', 10, 0),
    format: raw.format === 'binary' ? 'binary' : 'json',
  });
  await fleet.start();
  print(`demo: ${fleet.keys.length} simulated sensors publishing ${recordings.labels.join('/')} to ${running.brokerUrl}; predictions on predictions/{device}`);
  let dashboard: DashboardServer | undefined;
  if (running.broker) {
    print(`demo: mqtt clients can connect to ${running.broker.tcpUrl} or ${running.broker.wsUrl}`);
    // the page subscribes over the embedded broker's WebSocket listener
    dashboard = await startDashboardServer({ brokerWsUrl: running.broker.wsUrl, port: int(raw, 'dashboard-port', 0, 0) });
    print(`demo: open the dashboard at ${dashboard.url}`);
  }
  const ticker = setInterval(() => print(meter.line()), 1000);
  const stopBy = duration > 0 ? new Promise<string>((r) => setTimeout(() => r('duration'), duration * 1000).unref()) : new Promise<string>(() => {});
  const why = await Promise.race([untilSignal(), stopBy]);
  clearInterval(ticker);
  print(`demo: stopping (${why})`);
  await fleet.stop();
  await dashboard?.close();
  await running.stop();
  print(meter.line());
  print(`demo: published ${fleet.published} samples, ${running.service.predictions} predictions; final ${formatStatus(running.service.status())}`);
  return 0;
}
