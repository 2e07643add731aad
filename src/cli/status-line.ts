// The periodic one-line status of `s7rt run`.
import type { ServiceStatus } from '../mqtt/service';

function ms(v: number): string {
  return Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(0);
}

export function formatStatus(s: ServiceStatus): string {
  return [
    `s7rt: ${s.messagesPerSecond.toFixed(0)} msg/s`,
    `${s.streams} streams`,
    `p50 ${ms(s.p50Ms)} ms`,
    `p99 ${ms(s.p99Ms)} ms`,
    `${s.predictions} predictions`,
    `rejected ${s.rejected}`,
    `dup ${s.duplicates}`,
    `gaps ${s.gaps}`,
    `lag ${s.maxLag}`,
    `inflight ${s.inflight}`,
    s.connected ? 'connected' : 'DISCONNECTED',
  ].join(' · ');
}
