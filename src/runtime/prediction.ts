// Raw output vector -> Prediction: labels with probabilities for classifiers, named values for
// regressors.
import type { Prediction } from '../api.js';
import type { Manifest } from '../model/manifest.js';

export function toPrediction(m: Manifest, output: Float32Array): Prediction {
  const names = (m.task === 'classification' ? m.output.labels : m.output.names) ?? [];
  const values: Record<string, number> = {};
  for (let i = 0; i < output.length; i++) values[names[i] ?? String(i)] = output[i]!;
  if (m.task !== 'classification') return { output, values };
  let best = 0;
  for (let i = 1; i < output.length; i++) if (output[i]! > output[best]!) best = i;
  return { output, values, label: names[best] ?? String(best), probability: output[best]! };
}
