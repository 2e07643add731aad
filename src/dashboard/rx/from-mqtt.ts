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
  /** receives a function that adds subscriptions to the live connection (kept across reconnects) */
  onSubscribe?: (add: (topics: string[]) => void) => void;
  /** receives a function that replaces the subscriptions on the live connection */
  onTopics?: (set: (topics: string[]) => void) => void;
}

export function fromMqtt({ url, topics, onStatus, onSubscribe, onTopics }: FromMqttOptions): Observable<RawMessage> {
  return new Observable<RawMessage>((subscriber) => {
    // the reader retries by itself: a failed attempt is a status, not the end of the stream
    const reader = new MqttReader({
      url,
      topics,
      onStatus,
      onMessage: (topic, payload) => subscriber.next({ topic, payload, receivedAt: performance.now() }),
    });
    onSubscribe?.((list) => reader.subscribe(list));
    onTopics?.((list) => reader.setTopics(list));
    return () => reader.close();
  });
}
