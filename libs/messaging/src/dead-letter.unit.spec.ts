import { deadLetterRecord, DeadLetterHeaders } from './dead-letter';
import type { InboundMessage } from './kafka-client.port';

const rejected: InboundMessage = {
  topic: 'aid.deliveries.v1',
  partition: 2,
  offset: '9007199254740993',
  key: Buffer.from('C-1'),
  value: Buffer.from([0x7b, 0x22, 0xff]),
  headers: { 'content-type': 'application/cloudevents+json', 'x-dlq-reason': 'forged', empty: undefined },
  timestamp: 1767225600000,
};

describe('a dead letter', () => {
  const letter = deadLetterRecord(
    rejected,
    { reason: 'schema', errors: [{ field: 'data.items.0.quantity', message: 'must be ≥ 0' }] },
    'aidwatch.dlq.v1',
  );

  it('carries the original key and bytes untouched', () => {
    expect(letter.topic).toBe('aidwatch.dlq.v1');
    expect(letter.key).toBe(rejected.key);
    expect(letter.value).toEqual(Buffer.from([0x7b, 0x22, 0xff]));
  });

  it('keeps the original headers and says why and where from, over any header the producer forged', () => {
    expect(letter.headers).toEqual({
      'content-type': 'application/cloudevents+json',
      [DeadLetterHeaders.reason]: 'schema',
      [DeadLetterHeaders.errors]: '[{"field":"data.items.0.quantity","message":"must be ≥ 0"}]',
      [DeadLetterHeaders.sourceTopic]: 'aid.deliveries.v1',
      [DeadLetterHeaders.sourcePartition]: '2',
      [DeadLetterHeaders.sourceOffset]: '9007199254740993',
    });
  });
});
