// An MQTT connection as an Observable: subscribing connects and subscribes to `topics`,
// unsubscribing ends the client. Connection changes are reported through `onStatus`.
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { Observable } from 'rxjs';

export interface RawMessage {
  topic: string;
  payload: Uint8Array;
  receivedAt: number;
}

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed' | 'error';

export interface FromMqttOptions {
  url: string;
  topics: string[];
  onStatus?: (status: ConnectionStatus, detail?: string) => void;
  /** extra mqtt.js options (credentials, clientId...) */
  client?: IClientOptions;
}

export function fromMqtt({ url, topics, onStatus, client: extra }: FromMqttOptions): Observable<RawMessage> {
  return new Observable<RawMessage>((subscriber) => {
    const options: IClientOptions = {
      clientId: `s7rt-dashboard-${Math.random().toString(16).slice(2, 10)}`,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...extra,
    };
    onStatus?.('connecting');
    const client: MqttClient = mqtt.connect(url, options);
    client.on('connect', () => {
      client.subscribe(topics, { qos: 0 }, (err) => {
        if (err) onStatus?.('error', `subscribe failed: ${err.message}`);
        else onStatus?.('connected');
      });
    });
    client.on('reconnect', () => onStatus?.('reconnecting'));
    client.on('offline', () => onStatus?.('offline'));
    // mqtt.js retries by itself; a failed attempt is a status, not the end of the stream
    client.on('error', (err) => onStatus?.('error', err.message));
    client.on('message', (topic, payload) => {
      subscriber.next({ topic, payload, receivedAt: performance.now() });
    });
    return () => {
      client.end(true);
      onStatus?.('closed');
    };
  });
}
