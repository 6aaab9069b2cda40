import { EventCatalogue, type AidEvent } from '@aidwatch/domain';
import { consignmentRegistered, exemptionGranted } from '@aidwatch/domain/testing';
import { InMemoryEventStore } from '@aidwatch/event-store';
import { pendingAfter, type InboundMessage } from '@aidwatch/messaging';
import { AidwatchMetrics } from '@aidwatch/observability';
import { pendingOf } from '@aidwatch/projections';
import { EventIntake } from './event-intake';
import { structuredMessage } from './testing';

const message = (event: AidEvent, offset: number, highWatermark: number): InboundMessage =>
  structuredMessage(event, offset, {
    partition: 3,
    pending: pendingAfter(String(highWatermark), String(offset)),
  });

describe('the records still pending on a partition when a message was fetched', () => {
  it('is the high watermark minus the offset minus one, never negative; undefined for a malformed offset', () => {
    expect(pendingAfter('10', '0')).toBe(9);
    expect(pendingAfter('10', '9')).toBe(0);
    // A high watermark read before the record was appended (cannot be behind it, but never negative).
    expect(pendingAfter('5', '9')).toBe(0);
    expect(pendingAfter('9007199254740993000', '0')).toBe(Number.MAX_SAFE_INTEGER);
    expect(pendingAfter('10', 'x')).toBeUndefined();
  });

  it('is stored with each event from Kafka, beside its lane; HTTP events carry none', async () => {
    const store = new InMemoryEventStore();
    const intake = new EventIntake(store, new AidwatchMetrics({ defaultMetrics: false }));
    const events = [
      exemptionGranted({ id: 'g-1', data: { exemptionId: 'E-1', implementingOrg: 'Org A' } }),
      consignmentRegistered({ id: 'r-1', data: { consignmentId: 'C-1', exemptionId: 'E-1' } }),
    ];
    // Fetched with the partition's end at offset 45: 3 and 2 records after them.
    const outcomes = await intake.ingestKafkaBatch(events.map((e, i) => message(e, 41 + i, 45)));
    expect(outcomes).toEqual([{ kind: 'ok' }, { kind: 'ok' }]);
    await intake.ingestHttp('application/cloudevents-batch+json', [
      consignmentRegistered({ id: 'r-2', data: { consignmentId: 'C-2', exemptionId: 'E-1' } }),
    ]);
    const stored = new Map((await store.readAll()).map((s) => [(s.data as AidEvent).id, s.metadata]));
    const topicOf = (e: AidEvent) => EventCatalogue[e.type].topic;
    expect(stored.get('g-1')).toMatchObject({ channel: topicOf(events[0]), partition: 3, pending: 3 });
    expect(stored.get('r-1')).toMatchObject({ channel: topicOf(events[1]), partition: 3, pending: 2 });
    expect(stored.get('r-2')).toMatchObject({ channel: 'http' });
    expect(stored.get('r-2')).not.toHaveProperty('pending');
    // Detection reads it back; what is absent or not a count is not known (not "none pending").
    expect(pendingOf(stored.get('g-1') ?? {})).toBe(3);
    expect(pendingOf(stored.get('r-2') ?? {})).toBeUndefined();
    expect(pendingOf({ pending: 0 })).toBe(0);
    expect(pendingOf({ pending: -2 })).toBe(0);
    expect(pendingOf({ pending: '4' })).toBeUndefined();
  });

  it('leaves out the records of the same fetch that are dead-lettered after it: they never come', async () => {
    const store = new InMemoryEventStore();
    const intake = new EventIntake(store, new AidwatchMetrics({ defaultMetrics: false }));
    const good = exemptionGranted({ id: 'g-2', data: { exemptionId: 'E-2', implementingOrg: 'Org A' } });
    const bad: InboundMessage = { ...message(good, 8, 10), offset: '8', value: Buffer.from('{not json') };
    // The good record at offset 7, an undecodable one last on the partition (offset 8, end 9 -> 10).
    const outcomes = await intake.ingestKafkaBatch([message(good, 7, 9), { ...bad, pending: 0 }]);
    expect(outcomes.map((o) => o.kind)).toEqual(['ok', 'invalid']);
    const [stored] = await store.readAll();
    expect(stored.metadata).toMatchObject({ partition: 3, pending: 0 });
  });
});
