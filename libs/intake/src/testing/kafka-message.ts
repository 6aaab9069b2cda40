import { EventCatalogue, type AidEvent } from '@aidwatch/domain';
import type { InboundMessage } from '@aidwatch/messaging';

/**
 * `event` as a Kafka record in the CloudEvents structured mode, on its type's topic, at `offset` of
 * `partition` (0); `pending`: records the partition held after it when fetched (absent: not known).
 */
export function structuredMessage(
  event: AidEvent,
  offset: number,
  { partition = 0, pending }: { partition?: number; pending?: number } = {},
): InboundMessage {
  const message: InboundMessage = {
    topic: EventCatalogue[event.type].topic,
    partition,
    offset: String(offset),
    key: null,
    value: Buffer.from(JSON.stringify(event)),
    headers: { 'content-type': 'application/cloudevents+json' },
    timestamp: Date.parse(event.time),
  };
  if (pending !== undefined) message.pending = pending;
  return message;
}
