// Simulated devices' samples, shared by the tests and the bench's broker thread (no imports).

/** Deterministic IMU-like samples for a simulated device (6 channels, 50 Hz). */
export function simulatedSample(device: number, seq: number): number[] {
  const t = seq / 50;
  const f = 1 + device * 0.4;
  return [
    0.3 * Math.sin(2 * Math.PI * f * t),
    0.2 * Math.cos(2 * Math.PI * f * t + device),
    1 + 0.1 * Math.sin(4 * Math.PI * f * t),
    40 * Math.sin(2 * Math.PI * 0.5 * t + device),
    20 * Math.cos(2 * Math.PI * 0.7 * t),
    10 * Math.sin(2 * Math.PI * 0.3 * t - device),
  ].map((v) => Math.fround(v));
}
