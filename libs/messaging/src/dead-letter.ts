import type { FieldError } from '@aidwatch/domain';
import type { InboundMessage, OutboundRecord } from './kafka-client.port';

export const DeadLetterHeaders = {
  reason: 'x-dlq-reason',
  errors: 'x-dlq-errors',
  sourceTopic: 'x-source-topic',
  sourcePartition: 'x-source-partition',
  sourceOffset: 'x-source-offset',
} as const;

/** The dead letter for a rejected message: its key, bytes and headers unchanged, plus why and where from. */
export function deadLetterRecord(
  message: InboundMessage,
  rejection: { reason: string; errors: FieldError[] },
  dlqTopic: string,
): OutboundRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) if (value !== undefined) headers[name] = value;
  return {
    topic: dlqTopic,
    key: message.key,
    value: message.value,
    headers: {
      ...headers,
      [DeadLetterHeaders.reason]: rejection.reason,
      [DeadLetterHeaders.errors]: JSON.stringify(
        rejection.errors.map(({ field, message }) => ({ field, message })),
      ),
      [DeadLetterHeaders.sourceTopic]: message.topic,
      [DeadLetterHeaders.sourcePartition]: String(message.partition),
      [DeadLetterHeaders.sourceOffset]: message.offset,
    },
  };
}
