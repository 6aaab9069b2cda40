import type { CloudEvent } from '@aidwatch/domain';
import { createKafkaClient } from './kafka-client';
import type { KafkaClient, KafkaProducerPort, OutboundRecord } from './kafka-client.port';
import type { KafkaClientOptions, KafkaConfig } from './kafka.config';

export const CLOUDEVENTS_JSON = 'application/cloudevents+json';

export interface KafkaPublisherOptions {
  topic: string;
  /** The record key; `recordKeyOf` unless set. */
  keyOf?: (event: CloudEvent) => string;
  /** Extra record headers per event (e.g. replay markers); `content-type` stays the binding's. */
  headersOf?: (event: CloudEvent) => Record<string, string>;
}

/** A CloudEvent in structured mode (CloudEvents Kafka binding): the whole event as the JSON value. */
export function structuredRecord(topic: string, event: CloudEvent, key: string): OutboundRecord {
  return { topic, key, value: JSON.stringify(event), headers: { 'content-type': CLOUDEVENTS_JSON } };
}

/** The binding's `partitionkey` extension when present, else the subject, else the id. */
export function recordKeyOf(event: CloudEvent): string {
  return typeof event.partitionkey === 'string' ? event.partitionkey : (event.subject ?? event.id);
}

/**
 * Publishes CloudEvents to one topic with an idempotent producer and acknowledgement from all in-sync
 * replicas. While the brokers are away a publish retries with kafkajs's defaults (5 retries, backoff from
 * 300 ms: about 10 s in all), then rejects; the caller resumes from what it knows was acknowledged. The alert
 * relay's projection is restarted from its checkpoint (backoff doubling to 30 s), so nothing is lost but
 * records published after that checkpoint go out again: the alerts topic is at-least-once, and readers
 * de-duplicate by the CloudEvents `id` (docs/contract.md). `aidwatch replay` stops and says how far it got.
 */
export class KafkaPublisher {
  private readonly producer: KafkaProducerPort;
  private connected?: Promise<void>;

  constructor(
    client: KafkaClient,
    private readonly options: KafkaPublisherOptions,
  ) {
    this.producer = client.producer({ idempotent: true });
  }

  static fromConfig(
    config: Omit<KafkaConfig, 'groupId'>,
    options: KafkaPublisherOptions,
    clientOptions?: KafkaClientOptions,
  ): KafkaPublisher {
    return new KafkaPublisher(createKafkaClient(config, clientOptions), options);
  }

  /** Optional: the first publish connects too. */
  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  /** Resolves once every event is acknowledged; events with the same key keep their order. */
  async publish(events: readonly CloudEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.connect();
    const keyOf = this.options.keyOf ?? recordKeyOf;
    const headersOf = this.options.headersOf;
    await this.producer.send(
      events.map((e) => {
        const record = structuredRecord(this.options.topic, e, keyOf(e));
        return headersOf ? { ...record, headers: { ...headersOf(e), ...record.headers } } : record;
      }),
    );
  }

  async stop(): Promise<void> {
    if (!this.connected) return;
    await this.connected.catch(() => undefined);
    this.connected = undefined;
    await this.producer.disconnect();
  }
}
