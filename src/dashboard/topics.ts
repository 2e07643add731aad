// Topic filters whose first `+` names the device, matched by s7rt's own device-pattern code
// (src/mqtt/topic.ts) so that the dashboard and the MQTT service read topics the same way.
import { compileDevicePattern, devicePatternFromFilter, type DevicePattern } from '../mqtt/topic.js';
import { DashboardInputError } from './errors.js';

export type { DevicePattern };

export function devicePattern(filter: string): DevicePattern {
  const pattern = devicePatternFromFilter(filter);
  if (pattern === undefined) throw new DashboardInputError('topic', filter, 'the topic filter has no + level naming the device');
  return compileDevicePattern(pattern);
}

/** The topic of one device under `filter` (its device level filled in), e.g. predictions/dvs-1. */
export function deviceTopic(filter: string, device: string): string {
  const pattern = devicePatternFromFilter(filter);
  if (pattern === undefined) throw new DashboardInputError('topic', filter, 'the topic filter has no + level naming the device');
  return pattern.replace('{device}', device);
}
