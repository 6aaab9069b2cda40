import {
  Topics,
  type CloudEvent,
  type VesselPositionData,
  type VesselStaticData,
  EventTypes,
} from '@aidwatch/domain';
import { encodeClassAPosition, encodeStaticVoyage, toSentences } from '@aidwatch/maritime';
import { createKafkaClient, ensureTopics, KafkaPublisher } from '@aidwatch/messaging';
import { once } from 'node:events';

/** Where simulated events go; `send` resolves once the batch is accepted downstream. */
export interface EventSink {
  readonly networked: boolean;
  send(events: readonly CloudEvent[]): Promise<void>;
  close(): Promise<void>;
}

async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

export class NdjsonStdoutSink implements EventSink {
  readonly networked = false;
  async send(events: readonly CloudEvent[]): Promise<void> {
    await write(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }
  async close(): Promise<void> {}
}

/** Raw `!AIVDM` sentences with a tag block carrying the time; what a receiver or AIS feed would hand over. */
export class NmeaStdoutSink implements EventSink {
  readonly networked = false;
  private sequence = 0;

  async send(events: readonly CloudEvent[]): Promise<void> {
    const lines: string[] = [];
    for (const e of events) {
      const c = Math.floor(Date.parse(e.time) / 1000);
      if (e.type === EventTypes.VesselPositionReported) {
        lines.push(
          ...toSentences(encodeClassAPosition(e.data as VesselPositionData), {
            tagBlock: { s: 'aidwatch-sim', c },
          }),
        );
      } else if (e.type === EventTypes.VesselStaticReported) {
        const s = e.data as VesselStaticData;
        this.sequence = (this.sequence + 1) % 10;
        lines.push(
          ...toSentences(encodeStaticVoyage(s), {
            sequenceId: this.sequence,
            tagBlock: { s: 'aidwatch-sim', c },
          }),
        );
      }
    }
    if (lines.length > 0) await write(lines.join('\n') + '\n');
  }
  async close(): Promise<void> {}
}

/** POST /events with `application/cloudevents-batch+json` and `Authorization: Bearer <key>`; retries a batch a few times on 5xx or a refused connection. */
export class HttpSink implements EventSink {
  readonly networked = true;
  constructor(
    private readonly url: string,
    private readonly key?: string,
  ) {}

  async send(events: readonly CloudEvent[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/cloudevents-batch+json',
            ...(this.key !== undefined && { authorization: `Bearer ${this.key}` }),
          },
          body: JSON.stringify(events),
        });
        if (response.ok) return;
        const body = await response.text();
        if (response.status < 500 || attempt >= 4) {
          throw new Error(`POST ${this.url} answered ${response.status}: ${body.slice(0, 500)}`);
        }
      } catch (error) {
        if (attempt >= 4 || (error instanceof Error && error.message.startsWith('POST '))) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }
  async close(): Promise<void> {}
}

/** Structured-mode CloudEvents, keyed by subject (MMSI, LOCODE), to the contract's topics. */
export class KafkaSink implements EventSink {
  readonly networked = true;
  private readonly positions: KafkaPublisher;
  private readonly reference: KafkaPublisher;
  private ready?: Promise<void>;

  constructor(private readonly brokers: string[]) {
    const client = createKafkaClient({ brokers, clientId: 'aidwatch-simulator' });
    this.positions = new KafkaPublisher(client, { topic: Topics.positions });
    this.reference = new KafkaPublisher(client, { topic: Topics.reference });
    this.ready = (async () => {
      const admin = client.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, [Topics.positions, Topics.reference]);
      } finally {
        await admin.disconnect();
      }
    })();
  }

  static fromUrl(url: string): KafkaSink {
    return new KafkaSink(
      url
        .replace(/^kafka:\/\//, '')
        .split(',')
        .filter(Boolean),
    );
  }

  async send(events: readonly CloudEvent[]): Promise<void> {
    await this.ready;
    const reference = events.filter((e) => e.type === EventTypes.PortDeclared);
    const vessels = events.filter((e) => e.type !== EventTypes.PortDeclared);
    await this.reference.publish(reference);
    await this.positions.publish(vessels);
  }

  async close(): Promise<void> {
    await Promise.all([this.positions.stop(), this.reference.stop()]);
  }
}

export function sinkFor(to: string, format: 'ndjson' | 'nmea', key?: string): EventSink {
  if (to === 'stdout') return format === 'nmea' ? new NmeaStdoutSink() : new NdjsonStdoutSink();
  if (to.startsWith('kafka://')) return KafkaSink.fromUrl(to);
  return new HttpSink(to, key);
}
