import { MAX_JSON_DEPTH, type AidEvent } from '@aidwatch/domain';
import { binaryModeHeaders, exemptionGranted } from '@aidwatch/domain/testing';
import { EmbeddedEventStore, InMemoryEventStore, type EventStore } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import { EventIntake } from './event-intake';
import { structuredMessage } from './testing';

// Events are held to the deployment's LIMIT_JSON_DEPTH (`jsonDepth`), measured on the event as decoded: over
// Kafka and over HTTP in each of its forms alike (a batch's array, a binary body or `data_base64` nest
// otherwise than the event).

/** An exemption grant nesting `depth` levels: the event, its data, and arrays in a field of the data's own. */
function nested(id: string, depth: number): AidEvent {
  let note: unknown = 'x';
  for (let i = 2; i < depth; i++) note = [note];
  return exemptionGranted({ id, data: { exemptionId: `E-${id}`, implementingOrg: 'Org A', note } as never });
}

const intakeWith = (store: EventStore, jsonDepth?: number) =>
  new EventIntake(store, new AidwatchMetrics({ defaultMetrics: false }), jsonDepth ? { jsonDepth } : {});

/** Every way one event reaches the intake, and whether it was taken. */
const forms: Record<string, (intake: EventIntake, event: AidEvent) => Promise<boolean>> = {
  kafka: async (intake, event) =>
    (await intake.ingestKafkaBatch([structuredMessage(event, 0)]))[0].kind === 'ok',
  'http structured': async (intake, event) =>
    (await intake.ingestHttp('application/cloudevents+json', event)).ok,
  'http batch': async (intake, event) =>
    (await intake.ingestHttp('application/cloudevents-batch+json', [event])).ok,
  'http binary': async (intake, event) =>
    (await intake.ingestHttp('application/json', event.data, binaryModeHeaders(event))).ok,
  'http data_base64': async (intake, event) => {
    const { data, ...rest } = event;
    const body = {
      ...rest,
      datacontenttype: 'application/json',
      data_base64: Buffer.from(JSON.stringify(data)).toString('base64'),
    };
    return (await intake.ingestHttp('application/cloudevents+json', body)).ok;
  },
};

describe('the nesting limit of events', () => {
  it.each(Object.keys(forms))('is the configured one, at the same depth, by %s', async (form) => {
    const store = new InMemoryEventStore();
    const intake = intakeWith(store, 8);
    expect(await forms[form](intake, nested(`${form}-at`, 8))).toBe(true);
    expect(await forms[form](intake, nested(`${form}-past`, 9))).toBe(false);
    expect((await store.readAll()).map((e) => (e.data as AidEvent).id)).toEqual([`${form}-at`]);
  });

  it('refuses with the limit named, over Kafka and HTTP alike', async () => {
    const intake = intakeWith(new InMemoryEventStore(), 8);
    const [kafka] = await intake.ingestKafkaBatch([structuredMessage(nested('k', 9), 0)]);
    const http = await intake.ingestHttp('application/cloudevents+json', nested('h', 9));
    const reason = 'the event nests deeper than 8 levels';
    expect(kafka).toEqual({
      kind: 'invalid',
      reason,
      errors: [{ field: '', message: 'an event may nest at most 8 levels (LIMIT_JSON_DEPTH)' }],
    });
    expect(http).toEqual({
      ok: false,
      kind: 'invalid',
      errors: [{ index: 0, id: 'h', reason, errors: kafka.kind === 'invalid' ? kafka.errors : [] }],
    });
  });

  it('defaults to MAX_JSON_DEPTH: an event at it is stored, one a level deeper refused', async () => {
    const intake = intakeWith(new InMemoryEventStore());
    for (const form of Object.keys(forms)) {
      expect(await forms[form](intake, nested(`${form}-at`, MAX_JSON_DEPTH))).toBe(true);
      expect(await forms[form](intake, nested(`${form}-past`, MAX_JSON_DEPTH + 1))).toBe(false);
    }
  });

  it('at the largest limit a deployment may set (1,000), stores what it takes, writer thread included', async () => {
    const store = EmbeddedEventStore.temporary({ writer: 'worker' });
    try {
      const intake = intakeWith(store, 1000);
      for (const form of ['kafka', 'http structured', 'http data_base64']) {
        expect(await forms[form](intake, nested(`${form}-at`, 1000))).toBe(true);
        expect(await forms[form](intake, nested(`${form}-past`, 1001))).toBe(false);
      }
      expect(await store.readAll()).toHaveLength(3);
    } finally {
      await store.close();
    }
  });
});
