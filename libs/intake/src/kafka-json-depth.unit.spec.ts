import { MAX_JSON_DEPTH, type AidEvent } from '@aidwatch/domain';
import { exemptionGranted } from '@aidwatch/domain/testing';
import { InMemoryEventStore } from '@aidwatch/event-store';
import type { InboundMessage } from '@aidwatch/messaging';
import { AidwatchMetrics } from '@aidwatch/observability';
import { EventIntake } from './event-intake';
import { structuredMessage } from './testing';

// Kafka messages are held to the deployment's LIMIT_JSON_DEPTH (`jsonDepth`), as HTTP bodies are.

const message = (event: AidEvent, offset: number): InboundMessage => structuredMessage(event, offset);

/** An exemption grant nesting `depth` levels: the event, its data, and arrays in a field of the data's own. */
function nested(id: string, depth: number): AidEvent {
  let note: unknown = 'x';
  for (let i = 2; i < depth; i++) note = [note];
  return exemptionGranted({ id, data: { exemptionId: `E-${id}`, implementingOrg: 'Org A', note } as never });
}

const intakeWith = (store: InMemoryEventStore, jsonDepth?: number) =>
  new EventIntake(store, new AidwatchMetrics({ defaultMetrics: false }), jsonDepth ? { jsonDepth } : {});

describe('the nesting limit of Kafka messages', () => {
  it('is the configured one: deeper events are dead-lettered with the limit named, the rest stored', async () => {
    const store = new InMemoryEventStore();
    const outcomes = await intakeWith(store, 8).ingestKafkaBatch([
      message(nested('shallow', 8), 0),
      message(nested('deep', 9), 1),
    ]);
    expect(outcomes[0]).toEqual({ kind: 'ok' });
    expect(outcomes[1]).toMatchObject({ kind: 'invalid', reason: 'the event nests deeper than 8 levels' });
    expect((await store.readAll()).map((e) => (e.data as AidEvent).id)).toEqual(['shallow']);
  });

  it('defaults to MAX_JSON_DEPTH: an event at it is stored, one a level deeper refused', async () => {
    const store = new InMemoryEventStore();
    const outcomes = await intakeWith(store).ingestKafkaBatch([
      message(nested('at', MAX_JSON_DEPTH), 0),
      message(nested('past', MAX_JSON_DEPTH + 1), 1),
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['ok', 'invalid']);
  });
});
