// Counters of a live source: what arrived, what was refused and what the sequence numbers say was lost.

import type { EventFormatError } from '../errors.js';
import type { SensorSize } from '../types.js';
import type { EventPacket } from './packet.js';

export interface LiveStats {
  packets: number;
  events: number;
  /** packets refused by decodePacket (each reported to onBadPacket) */
  badPackets: number;
  /** packets missing according to the sequence numbers */
  lostPackets: number;
  /** packets that arrived with an older sequence number than one already seen */
  reordered: number;
  sensor?: SensorSize;
}

export function newLiveStats(): LiveStats {
  return { packets: 0, events: 0, badPackets: 0, lostPackets: 0, reordered: 0 };
}

export interface LiveSourceOptions {
  /** counters to update (pass one to read them while the source runs) */
  stats?: LiveStats;
  /** called with each refused packet's error; the source goes on */
  onBadPacket?: (error: EventFormatError) => void;
}

/** Updates counters for a decoded packet; `last` is the previous sequence number (or -1). */
export function countPacket(stats: LiveStats, packet: EventPacket, last: number): number {
  stats.packets++;
  stats.events += packet.events.length;
  stats.sensor = packet.sensor;
  if (last >= 0) {
    const gap = (packet.sequence - last - 1) >>> 0; // uint32 arithmetic: the counter wraps
    if (gap >= 2 ** 31) {
      stats.reordered++;
      return last;
    }
    stats.lostPackets += gap;
  }
  return packet.sequence;
}
