// Device keys from topics. A device pattern is an MQTT topic with `{device}` at the level that
// names the device ("sensors/{device}/imu"); `+` matches any one level, a trailing `#` the rest.
import { ConfigError } from './errors';

export interface DevicePattern {
  readonly source: string;
  /** the MQTT subscription filter this pattern implies ({device} -> +) */
  readonly filter: string;
  /** the device key, or undefined when the topic has another shape */
  match(topic: string): string | undefined;
}

export function compileDevicePattern(pattern: string): DevicePattern {
  const levels = pattern.split('/');
  const at = levels.indexOf('{device}');
  if (at < 0) throw new ConfigError('--device-pattern', `"${pattern}" has no {device} level`);
  if (levels.indexOf('{device}', at + 1) >= 0) throw new ConfigError('--device-pattern', `"${pattern}" has more than one {device} level`);
  const hash = levels.indexOf('#');
  if (hash >= 0 && hash !== levels.length - 1) throw new ConfigError('--device-pattern', `"${pattern}": # must be the last level`);
  return {
    source: pattern,
    filter: levels.map((l) => (l === '{device}' ? '+' : l)).join('/'),
    match(topic) {
      const got = topic.split('/');
      if (hash < 0 ? got.length !== levels.length : got.length < levels.length - 1) return undefined;
      for (let i = 0; i < levels.length; i++) {
        const want = levels[i];
        if (want === '#') return got[at] || undefined;
        if (want !== '+' && want !== '{device}' && want !== got[i]) return undefined;
      }
      return got[at] || undefined;
    },
  };
}

/** "sensors/+/imu" -> "sensors/{device}/imu": the first `+` names the device. */
export function devicePatternFromFilter(filter: string): string | undefined {
  const levels = filter.split('/');
  const at = levels.indexOf('+');
  if (at < 0) return undefined;
  levels[at] = '{device}';
  return levels.join('/');
}

/** "predictions/{device}" -> "predictions/dev-7" */
export function fillTopic(template: string, device: string): string {
  return template.split('{device}').join(device);
}
