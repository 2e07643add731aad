// Live events over MQTT: each message on the topic is one s7ev packet (packet.ts). The observable is
// cold: with a URL it connects on subscribe and ends the connection on unsubscribe; with a client you
// own the client's lifecycle and only the topic subscription is managed here. A bad packet is counted
// and reported, and the stream goes on. With a URL and no reconnectPeriod in clientOptions, losing the
// connection ends the stream with an error (pass reconnectPeriod to reconnect and resubscribe instead;
// packets missed meanwhile show up in stats.lostPackets).

import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { Observable } from 'rxjs';
import { EventFormatError } from '../errors.js';
import type { EventBatch, SensorSize } from '../types.js';
import { countPacket, newLiveStats, type LiveSourceOptions } from './live-stats.js';
import { decodePacket, encodePacket } from './packet.js';

export interface MqttEventsOptions extends LiveSourceOptions {
  /** used only when connecting from a URL */
  clientOptions?: IClientOptions;
  qos?: 0 | 1 | 2;
  /** called once the broker acknowledged the topic subscription (messages from then on arrive) */
  onSubscribed?: () => void;
}

export function fromMqttEvents(broker: string | MqttClient, topic: string, options: MqttEventsOptions = {}): Observable<EventBatch> {
  return new Observable<EventBatch>((subscriber) => {
    const stats = options.stats ?? newLiveStats();
    const owned = typeof broker === 'string';
    const client = owned ? mqtt.connect(broker, { reconnectPeriod: 0, ...options.clientOptions }) : broker;
    let last = -1;
    const onMessage = (received: string, payload: Uint8Array) => {
      if (received !== topic) return;
      let packet;
      try {
        packet = decodePacket(payload);
      } catch (e) {
        stats.badPackets++;
        if (e instanceof EventFormatError) options.onBadPacket?.(e);
        return;
      }
      last = countPacket(stats, packet, last);
      if (packet.events.length > 0) subscriber.next(packet.events);
    };
    const onError = (e: Error) => subscriber.error(e);
    const reconnects = (options.clientOptions?.reconnectPeriod ?? 0) > 0;
    const onClose = () => {
      if (!reconnects) subscriber.error(new Error(`MQTT connection to ${broker as string} closed`));
    };
    client.on('message', onMessage);
    if (owned) {
      client.on('error', onError);
      client.on('close', onClose);
    }
    client.subscribe(topic, { qos: options.qos ?? 0 }, (err) => {
      if (err) subscriber.error(err);
      else options.onSubscribed?.();
    });
    return () => {
      client.removeListener('message', onMessage);
      client.removeListener('error', onError);
      client.removeListener('close', onClose);
      if (owned) client.end(true);
      else client.unsubscribe(topic);
    };
  });
}

/** Publishes batches as s7ev packets, numbering them; resolves when the broker has them (QoS ≥ 1) or they are sent. */
export class MqttEventPublisher {
  private sequence = 0;

  constructor(
    private readonly client: MqttClient,
    private readonly topic: string,
    private readonly sensor: SensorSize,
    private readonly qos: 0 | 1 | 2 = 0,
  ) {}

  async publish(batch: EventBatch): Promise<void> {
    const packet = encodePacket(batch, this.sensor, this.sequence);
    this.sequence = (this.sequence + 1) >>> 0;
    await this.client.publishAsync(this.topic, Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength), { qos: this.qos });
  }
}
