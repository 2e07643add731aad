// Manual PUBACKs for mqtt.js v5 clients.
//
// Why not `handleMessage`/`customHandleAcks`: mqtt.js runs them one packet at a time, so holding
// either one stalls the whole connection (one sample in flight, and no PUBACKs for our own
// publishes on that connection). Instead we let mqtt.js process every packet at once and hold
// only the PUBACK it writes for a QoS 1 message until that message is done. Acks leave in the
// order their messages arrived (MQTT 3.1.1 §4.6), and never on a later connection than the one
// the message came on: there the packet id may name another message, and the broker redelivers
// anyway.
import type { MqttClient, IPublishPacket, Packet } from 'mqtt';

export interface AckTicket {
  /** the message is done (applied and covered, or dead-lettered): its PUBACK may go */
  release(): void;
}

interface Held {
  messageId: number;
  connection: number;
  ready: boolean;
  packet?: Packet;
}

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, cbStorePut?: unknown, noStore?: boolean) => void;

export class HeldAcks {
  private connection = 0;
  private readonly queue: Held[] = [];
  private readonly byId = new Map<number, Held>();
  private readonly send: SendPacket;
  /** PUBACKs dropped because their connection closed first (the broker redelivers those messages) */
  dropped = 0;
  sent = 0;

  constructor(private readonly client: MqttClient) {
    const target = client as unknown as { _sendPacket: SendPacket };
    this.send = target._sendPacket.bind(client);
    target._sendPacket = (packet, cb, cbStorePut, noStore) => {
      const held = packet.cmd === 'puback' && packet.messageId !== undefined ? this.byId.get(packet.messageId) : undefined;
      if (held && held.connection === this.connection && held.packet === undefined) {
        held.packet = packet;
        cb?.(); // lets mqtt.js go on to the next packet right away
        this.flush();
        return;
      }
      this.send(packet, cb, cbStorePut, noStore);
    };
    client.on('connect', () => {
      this.connection++;
    });
    client.on('close', () => {
      // Everything held belongs to the closed connection: drop it.
      this.dropped += this.queue.length;
      this.queue.length = 0;
      this.byId.clear();
    });
  }

  /** Call before mqtt.js acks `packet` (i.e. from `handleMessage`). QoS 0 needs no ack. */
  hold(packet: IPublishPacket): AckTicket {
    if (packet.qos === 0 || packet.messageId === undefined) return { release() {} };
    const held: Held = { messageId: packet.messageId, connection: this.connection, ready: false };
    this.queue.push(held);
    this.byId.set(held.messageId, held);
    return {
      release: () => {
        held.ready = true;
        this.flush();
      },
    };
  }

  /** messages received and not yet acked */
  get pending(): number {
    return this.queue.length;
  }

  private flush(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (!head.ready || head.packet === undefined) return;
      this.queue.shift();
      if (this.byId.get(head.messageId) === head) this.byId.delete(head.messageId);
      if (head.connection === this.connection && this.client.connected) {
        this.send(head.packet);
        this.sent++;
      } else {
        this.dropped++;
      }
    }
  }
}
