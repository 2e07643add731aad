// An MQTT subscription as an Observable: subscribing connects and subscribes to `topics`,
// unsubscribing disconnects. Connection changes are reported through `onStatus`.
import { Observable } from 'rxjs';
import { MqttReader, type ReaderStatus } from './mqtt-reader.js';

export interface RawMessage {
  topic: string;
  payload: Uint8Array;
  receivedAt: number;
}

export type ConnectionStatus = ReaderStatus;

export interface FromMqttOptions {
  url: string;
  topics: string[];
  onStatus?: (status: ConnectionStatus, detail?: string) => void;
  /** receives the connection's subscription controls (changes are kept across reconnects) */
  onReader?: (reader: Pick<MqttReader, 'subscribe' | 'setTopics'>) => void;
}

export function fromMqtt({ url, topics, onStatus, onReader }: FromMqttOptions): Observable<RawMessage> {
  return new Observable<RawMessage>((subscriber) => {
    // the reader retries by itself: a failed attempt is a status, not the end of the stream
    const reader = new MqttReader({
      url,
      topics,
      onStatus,
      onMessage: (topic, payload) => subscriber.next({ topic, payload, receivedAt: performance.now() }),
    });
    onReader?.(reader);
    return () => reader.close();
  });
}
