// Writes a simulated gesture dataset shaped like DVS128 Gesture: per session an AEDAT 3.1 file
// (<name>.aedat) and a label file (<name>_labels.csv: class,startTime_usec,endTime_usec, classes
// numbered from 1), plus dataset.json naming the classes and the seeds, so that any reader of the
// real dataset reads this one too.

import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAedat31 } from '../formats/aedat31-file.js';
import { GESTURES } from './scene.js';
import { planSession, renderSession, sessionLabels, type GestureLabel, type SessionOptions } from './simulate.js';

export interface DatasetOptions extends Omit<SessionOptions, 'seed'> {
  /** number of session files */
  sessions: number;
  /** seed of session i is seed + i */
  seed: number;
  /** file name prefix; default "session" */
  prefix?: string;
}

export interface DatasetSummary {
  files: Array<{ aedat: string; labels: string; seed: number; events: number; gestures: number }>;
  events: number;
  gestures: number;
}

export function labelsCsv(labels: readonly GestureLabel[]): string {
  return ['class,startTime_usec,endTime_usec', ...labels.map((l) => `${l.classId},${l.startUs},${l.endUs}`)].join('\n') + '\n';
}

export async function writeGestureDataset(dir: string, opts: DatasetOptions): Promise<DatasetSummary> {
  await mkdir(dir, { recursive: true });
  const prefix = opts.prefix ?? 'session';
  const summary: DatasetSummary = { files: [], events: 0, gestures: 0 };
  for (let s = 0; s < opts.sessions; s++) {
    const seed = opts.seed + s;
    const plan = planSession({ ...opts, seed });
    const name = `${prefix}${String(s).padStart(3, '0')}`;
    const aedat = `${name}.aedat`;
    const labelsFile = `${name}_labels.csv`;
    // a fixed start time keeps the files byte-identical for a seed
    const events = await writeAedat31(join(dir, aedat), renderSession(plan), {
      width: plan.width,
      height: plan.height,
      startTime: new Date(Date.UTC(2024, 0, 1) + seed * 1000),
    });
    const labels = sessionLabels(plan);
    await writeFile(join(dir, labelsFile), labelsCsv(labels));
    summary.files.push({ aedat, labels: labelsFile, seed, events, gestures: labels.length });
    summary.events += events;
    summary.gestures += labels.length;
  }
  const meta = {
    generator: 's7rt devices/events/sim',
    classes: opts.gestures ?? GESTURES,
    sensor: { width: opts.width ?? 128, height: opts.height ?? 128 },
    ...summary,
  };
  await writeFile(join(dir, 'dataset.json.partial'), JSON.stringify(meta, null, 1) + '\n');
  await rename(join(dir, 'dataset.json.partial'), join(dir, 'dataset.json'));
  return summary;
}
