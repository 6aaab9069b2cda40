import {
  decodeHttpBody,
  decodeKafkaMessage,
  storeEventId,
  streamOf,
  type AidEvent,
  type FieldError,
} from '@aidwatch/domain';
import type { EventStore, NewEvent } from '@aidwatch/event-store';
import type { InboundMessage, MessageOutcome } from '@aidwatch/messaging';
import type { AidwatchMetrics } from '@aidwatch/observability';

export interface HttpEventError {
  index: number;
  id?: string;
  reason: string;
  errors: FieldError[];
}

export type HttpIntakeResult = { ok: true; accepted: string[] } | { ok: false; errors: HttpEventError[] };

/**
 * The one intake path for every transport: validate, then append idempotently to each event's stream.
 * Kafka and HTTP differ only in how bytes become candidate events and how rejections are reported.
 */
export class EventIntake {
  constructor(
    private readonly store: EventStore,
    private readonly metrics: AidwatchMetrics,
  ) {}

  async ingestHttp(contentType: string | undefined, body: unknown): Promise<HttpIntakeResult> {
    const decoded = decodeHttpBody(contentType, body);
    if (!decoded.ok) {
      this.metrics.eventsRejected.inc({ topic: 'http' }, decoded.errors.length);
      return { ok: false, errors: decoded.errors };
    }
    await this.append(decoded.events, 'http');
    return { ok: true, accepted: decoded.events.map((e) => e.id) };
  }

  /** Resolves once every valid message is durably appended; invalid ones are reported, not thrown. */
  async ingestKafkaBatch(messages: readonly InboundMessage[]): Promise<MessageOutcome[]> {
    const outcomes: MessageOutcome[] = [];
    const valid: Array<{ event: AidEvent; topic: string }> = [];
    for (const message of messages) {
      const decoded = decodeKafkaMessage(message);
      if (decoded.ok) {
        valid.push({ event: decoded.event, topic: message.topic });
        outcomes.push({ kind: 'ok' });
      } else {
        this.metrics.eventsRejected.inc({ topic: message.topic });
        outcomes.push({ kind: 'invalid', reason: decoded.reason, errors: decoded.errors });
      }
    }
    const byTopic = new Map<string, AidEvent[]>();
    for (const { event, topic } of valid) byTopic.set(topic, [...(byTopic.get(topic) ?? []), event]);
    for (const [topic, events] of byTopic) await this.append(events, topic);
    return outcomes;
  }

  private async append(events: readonly AidEvent[], channel: string): Promise<void> {
    const byStream = new Map<string, NewEvent[]>();
    for (const event of events) {
      const stream = streamOf(event);
      const batch = byStream.get(stream) ?? [];
      batch.push({ id: storeEventId(event), type: event.type, data: event, metadata: { channel } });
      byStream.set(stream, batch);
    }
    for (const [stream, batch] of byStream) {
      const end = this.metrics.appendSeconds.startTimer();
      const result = await this.store.append(stream, batch, 'any');
      end();
      this.metrics.appends.inc({ outcome: 'new' }, result.appended);
      this.metrics.appends.inc({ outcome: 'duplicate' }, batch.length - result.appended);
    }
    for (const event of events) this.metrics.eventsIngested.inc({ topic: channel, type: event.type });
  }
}
