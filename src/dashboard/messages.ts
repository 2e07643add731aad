// Payloads the dashboard reads (see docs/mqtt.md): sensor samples and predictions, each parsed
// into a typed message or a DashboardInputError naming the topic and the bad field.
import { DashboardInputError } from './errors.js';
import { type DevicePattern, devicePattern } from './topics.js';

export interface SensorSampleMessage {
  kind: 'sample';
  device: string;
  seq: number;
  /** sample time as published (ms) */
  t: number;
  values: number[];
  /** when the dashboard received it (performance.now() ms) */
  receivedAt: number;
}

export interface PredictionMessage {
  kind: 'prediction';
  device: string;
  /** seq of the sample this prediction follows, when published */
  seq?: number;
  t?: number;
  /** label -> probability (classifiers) or name -> value */
  values: Record<string, number>;
  label?: string;
  probability?: number;
  receivedAt: number;
}

export type DashboardMessage = SensorSampleMessage | PredictionMessage;

export interface TopicPatterns {
  /** e.g. "sensors/+/imu": `+` is the device id */
  samples: string;
  /** e.g. "predictions/+" */
  predictions: string;
}

export const defaultTopics: TopicPatterns = { samples: 'sensors/+/imu', predictions: 'predictions/+' };

export interface TopicMatchers {
  samples: DevicePattern;
  predictions: DevicePattern;
}

export function compileTopics(topics: TopicPatterns): TopicMatchers {
  return { samples: devicePattern(topics.samples), predictions: devicePattern(topics.predictions) };
}

function finite(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

const utf8 = new TextDecoder();

function decode(topic: string, payload: Uint8Array | string): Record<string, unknown> {
  const text = typeof payload === 'string' ? payload : utf8.decode(payload);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DashboardInputError('json', topic, `payload is not JSON: ${text.slice(0, 40)}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new DashboardInputError('shape', topic, 'payload is not a JSON object');
  }
  return json as Record<string, unknown>;
}

export function parseSample(device: string, topic: string, payload: Uint8Array | string, receivedAt: number): SensorSampleMessage {
  const json = decode(topic, payload);
  const { seq, t, values } = json;
  if (!finite(seq)) throw new DashboardInputError('shape', topic, '"seq" must be a finite number');
  if (!finite(t)) throw new DashboardInputError('shape', topic, '"t" must be a finite number');
  if (!Array.isArray(values) || values.length === 0) throw new DashboardInputError('shape', topic, '"values" must be a non-empty array');
  const bad = values.findIndex((v) => !finite(v));
  if (bad >= 0) throw new DashboardInputError('range', topic, `"values[${bad}]" is not a finite number`);
  return { kind: 'sample', device, seq, t, values: values as number[], receivedAt };
}

export function parsePrediction(device: string, topic: string, payload: Uint8Array | string, receivedAt: number): PredictionMessage {
  const json = decode(topic, payload);
  const { seq, t, values, label, probability } = json;
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new DashboardInputError('shape', topic, '"values" must be an object of label -> number');
  }
  for (const [k, v] of Object.entries(values)) {
    if (!finite(v)) throw new DashboardInputError('range', topic, `"values.${k}" is not a finite number`);
  }
  if (seq !== undefined && !finite(seq)) throw new DashboardInputError('shape', topic, '"seq" must be a number');
  if (t !== undefined && !finite(t)) throw new DashboardInputError('shape', topic, '"t" must be a number');
  return {
    kind: 'prediction',
    device,
    seq: seq as number | undefined,
    t: t as number | undefined,
    values: values as Record<string, number>,
    label: typeof label === 'string' ? label : undefined,
    probability: finite(probability) ? probability : undefined,
    receivedAt,
  };
}

/** Routes a raw MQTT message by topic to the right parser. Throws DashboardInputError. */
export function parseMessage(topics: TopicMatchers, topic: string, payload: Uint8Array | string, receivedAt: number): DashboardMessage {
  const sampleDevice = topics.samples.match(topic);
  if (sampleDevice !== undefined) return parseSample(sampleDevice, topic, payload, receivedAt);
  const predictionDevice = topics.predictions.match(topic);
  if (predictionDevice !== undefined) return parsePrediction(predictionDevice, topic, payload, receivedAt);
  throw new DashboardInputError('topic', topic, `matches neither "${topics.samples.filter}" nor "${topics.predictions.filter}"`);
}
