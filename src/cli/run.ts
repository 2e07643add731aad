// `s7rt run`: model + MQTT service + health endpoint (+ an embedded broker when no --broker).
import { availableParallelism } from 'node:os';
import { createRuntime, loadModel, type Runtime } from '../index';
import { ConfigError } from '../mqtt/errors';
import { startEmbeddedBroker, type EmbeddedBroker } from '../mqtt/embedded-broker';
import { MqttService, defaultServiceOptions, type ServiceEvents, type ServiceOptions } from '../mqtt/service';
import { renderPrometheus, runtimeMetricSamples } from '../health/metrics';
import { startHealthServer, type HealthServer } from '../health/server';
import { formats, int, nodeBackends, num, oneOf, parseCommandLine, runOptionSpec, str, type RawOptions } from './args';
import { runHelp } from './help';
import { formatStatus } from './status-line';

export interface Running {
  service: MqttService;
  runtime: Runtime;
  broker?: EmbeddedBroker;
  health?: HealthServer;
  /** the URL the service is connected to */
  brokerUrl: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  raw: RawOptions;
  /** where lines go (console by default) */
  print?: (line: string) => void;
  events?: ServiceEvents;
}

export async function startRun({ raw, print = (l) => console.log(l), events = {} }: StartOptions): Promise<Running> {
  const modelPath = str(raw, 'model');
  if (!modelPath) throw new ConfigError('--model', 'required: the model package folder (e.g. models/zoo/sensor-activity)');
  const quiet = raw.quiet === true;
  const say = (line: string) => {
    if (!quiet) print(line);
  };

  let broker: EmbeddedBroker | undefined;
  let brokerUrl = str(raw, 'broker');
  // aedes speaks MQTT 3.1.1 only.
  const protocolVersion = Number(oneOf(raw, 'protocol', ['4', '5'], brokerUrl ? '5' : '4')) as 4 | 5;
  const options: ServiceOptions = {
    ...defaultServiceOptions,
    broker: brokerUrl ?? '',
    subscribe: (raw.subscribe as string[] | undefined) ?? ['sensors/+/imu'],
    deviceFrom: oneOf(raw, 'device-from', ['topic', 'payload'] as const, 'topic'),
    publish: str(raw, 'publish') ?? 'predictions/{device}',
    deadLetterTopic: str(raw, 'dead-letter') ?? defaultServiceOptions.deadLetterTopic,
    qos: Number(oneOf(raw, 'qos', ['0', '1'], '1')) as 0 | 1,
    clientId: str(raw, 'client-id') ?? '',
    protocolVersion,
    format: oneOf(raw, 'format', formats, 'json'),
    maxPayloadBytes: int(raw, 'max-payload', defaultServiceOptions.maxPayloadBytes, 1),
    maxInflight: int(raw, 'max-inflight', defaultServiceOptions.maxInflight, 1),
    maxBatch: int(raw, 'batch', defaultServiceOptions.maxBatch, 1),
    snapshotIntervalMs: num(raw, 'snapshot-interval', defaultServiceOptions.snapshotIntervalMs / 1000, 0.01) * 1000,
  };
  const devicePattern = str(raw, 'device-pattern');
  if (devicePattern !== undefined) options.devicePattern = devicePattern;
  const snapshotDir = str(raw, 'snapshot-dir');
  if (snapshotDir !== undefined) options.snapshotDir = snapshotDir;
  const username = str(raw, 'username');
  if (username !== undefined) options.username = username;
  const password = str(raw, 'password');
  if (password !== undefined) options.password = password;
  if (!options.publish.includes('{device}')) throw new ConfigError('--publish', `"${options.publish}" needs a {device} placeholder`);
  const healthPort = str(raw, 'health-port') === undefined ? undefined : int(raw, 'health-port', 0, 0);
  const statusSeconds = num(raw, 'status-interval', 5, 0);
  const workers = workerCount(raw);
  const runtimeOptions = { workers: workers.n, backend: oneOf(raw, 'backend', nodeBackends, 'auto') };

  say(`s7rt: loading ${modelPath}`);
  const model = await loadModel(modelPath);
  const m = model.manifest;
  if (m.input.kind !== 'dense') throw new ConfigError('--model', `${m.id} takes ${m.input.kind} input; MQTT feeds need a dense model`);
  options.clientId ||= `s7rt-${m.id}`;
  const runtime = await createRuntime(model, runtimeOptions);
  const { backend, fallbackReason } = await runtime.stats();
  say(`s7rt: ${backend} backend${fallbackReason ? ` (${fallbackReason})` : ''}, ${workers.n === 0 ? 'model on the main thread' : `${workers.n} worker thread(s)`}${workers.why ? ` (${workers.why})` : ''}`);

  if (!brokerUrl) {
    broker = await startEmbeddedBroker();
    brokerUrl = broker.tcpUrl;
    options.broker = brokerUrl;
    options.pauseReading = false; // see ServiceOptions.pauseReading
    say(`s7rt: embedded MQTT broker on ${broker.tcpUrl} and ${broker.wsUrl}`);
  }
  const service = new MqttService(runtime, { id: m.id, inputSize: m.input.size }, options, {
    ...events,
    onLog: (line) => {
      events.onLog?.(line);
      say(`s7rt: ${line}`);
    },
  });
  let health: HealthServer | undefined;
  let statusTimer: NodeJS.Timeout | undefined;
  try {
    if (healthPort !== undefined) {
      health = await startHealthServer({ readiness: () => service.readiness(true), metrics: async () => service.metrics() + renderPrometheus(runtimeMetricSamples(await runtime.stats())) }, healthPort);
      say(`s7rt: health on ${health.url}/healthz, ${health.url}/readyz, ${health.url}/metrics`);
    }
    say(`s7rt: ${m.id} <- ${options.subscribe.join(', ')} -> ${options.publish} on ${brokerUrl} (client id ${options.clientId})`);
    await service.start();
    if (statusSeconds > 0) {
      statusTimer = setInterval(() => say(formatStatus(service.status())), statusSeconds * 1000);
      statusTimer.unref();
    }
  } catch (err) {
    await health?.close();
    await broker?.close();
    await runtime.close();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    service,
    runtime,
    broker,
    health,
    brokerUrl,
    stop() {
      stopping ??= (async () => {
        if (statusTimer) clearInterval(statusTimer);
        await service.stop();
        say(formatStatus(service.status()));
        await health?.close();
        await runtime.close();
        await broker?.close();
      })();
      return stopping;
    },
  };
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      const hard = () => process.exit(130);
      process.once('SIGINT', hard);
      process.once('SIGTERM', hard);
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

export async function runCommand(argv: string[]): Promise<number> {
  const raw = parseCommandLine(argv, runOptionSpec);
  if (raw.help) {
    console.log(runHelp);
    return 0;
  }
  const running = await startRun({ raw });
  const signal = await untilSignal();
  if (raw.quiet !== true) console.log(`s7rt: ${signal}: writing the final snapshot and stopping`);
  await running.stop();
  return 0;
}

/**
 * --workers: a number, or auto (default). Measured on 2 cores (docs/benchmarks.md, MQTT end to
 * end), a worker thread competes with the main thread and the broker for the cores and costs
 * more than it saves: auto runs the model on the main thread there, in one worker otherwise.
 */
function workerCount(raw: RawOptions): { n: number; why?: string } {
  const given = str(raw, 'workers') ?? 'auto';
  if (given !== 'auto') {
    if (!/^\d+$/.test(given)) throw new ConfigError('--workers', `expected auto or an integer >= 0, got "${given}"`);
    return { n: Number(given) };
  }
  const cpus = availableParallelism();
  return { n: cpus <= 2 ? 0 : 1, why: `--workers auto, ${cpus} CPUs` };
}
