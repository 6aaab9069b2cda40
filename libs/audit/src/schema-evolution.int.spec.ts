import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { EventTypes, StreamNames, storeEventId, SupersededEventTypes, type Flag } from '@aidwatch/domain';
import { flagRaisedV1, flagsV1, SampleIds } from '@aidwatch/domain/testing';
import { EmbeddedEventStore, type EventStore, type StoredEvent } from '@aidwatch/event-store';
import { ReadModelProjection } from '@aidwatch/projections';
import { writeCheckpoint } from './audit-checkpoint';
import { exportLines } from './event-export';
import { verifyExport } from './export-verification';
import { PersonalDataCipher } from './personal-data/personal-data-cipher';
import { ProtectedEventStore } from './personal-data/protected-event-store';
import { SqliteSubjectKeyStore } from './personal-data/subject-key-store';
import { compareReadModels, rebuildFromZero } from './read-model-rebuild';
import { upcastingStore } from './service-event-store';
import { verifyStore } from './store-verification';
import { appendFacts, auditStory, raiseFlag } from './testing/audit-story';

const V1 = SupersededEventTypes.FlagRaisedV1;
const V2 = EventTypes.FlagRaised;
const riskStream = StreamNames.risk({ kind: 'consignment', id: SampleIds.consignmentId });
const monitor = SampleIds.monitorId;

async function* asyncLines(lines: readonly string[]): AsyncGenerator<string> {
  yield* lines;
}

/** Flag records of a read, as `[type, flag]`. */
const flagsIn = (events: StoredEvent[]) =>
  events
    .filter((e) => e.type.startsWith('aidwatch.flag.raised.'))
    .map((e) => [e.type, (e.data as { data: Flag }).data] as const);

describe('schema evolution: flags stored as v1 are read as v2, the log keeps its bytes', () => {
  let raw: EmbeddedEventStore;
  let store: ProtectedEventStore;

  beforeEach(async () => {
    raw = EmbeddedEventStore.temporary();
    const keys = new SqliteSubjectKeyStore(path.join(path.dirname(raw.file), 'subject-keys.sqlite'));
    store = new ProtectedEventStore(upcastingStore(raw), new PersonalDataCipher(keys));
    await appendFacts(store, auditStory());
    // Three flags as the detector wrote them before contract 1.2, straight into the log …
    await raw.append(
      riskStream,
      flagsV1(monitor).map((flag) => {
        const event = flagRaisedV1(flag);
        return { id: storeEventId(event), type: V1, data: event, metadata: { causation: 'detection' } };
      }),
    );
    // … and one written today.
    await raiseFlag(store, { flagId: 'flag-v2', fingerprint: 'fp-v2', explanation: 'A monitor found less.' });
    await writeCheckpoint(store, randomUUID, () => new Date());
  });
  afterEach(() => store.close());

  it('the log holds the v1 events as they were written, monitor id included', async () => {
    const stored = flagsIn(await raw.readStream(riskStream));
    expect(stored.map(([type]) => type)).toEqual([V1, V1, V1, V2]);
    expect(JSON.stringify(stored.slice(0, 3))).toContain(monitor);
  });

  it('readStream, readAll (filtered on the current type) and a subscription give the current shape', async () => {
    const expectCurrent = (events: StoredEvent[]) => {
      const flags = flagsIn(events);
      expect(flags.map(([type]) => type)).toEqual([V2, V2, V2, V2]);
      expect(flags.map(([, f]) => f.explanation.slice(0, 10))).toEqual(Array(4).fill('A monitor '));
      expect(JSON.stringify(flags)).not.toContain(monitor);
      expect(flags[0][1].observed).toMatchObject({ monitors: 1 });
      for (const e of events) expect((e.data as { type: string }).type).toBe(e.type);
    };
    expectCurrent(await store.readStream(riskStream));
    expectCurrent(await store.readAll({ filter: { eventTypePrefixes: [V2] } }));
    const subscription = store.subscribeToAll({ filter: { streamPrefixes: ['risk-'] } });
    const received: StoredEvent[] = [];
    for await (const event of subscription) {
      received.push(event);
      if (received.length === 4) break;
    }
    await subscription.close();
    expectCurrent(received);
  });

  it('the read model and its rebuild hold the current shape, and agree', async () => {
    const head = await store.headPosition();
    const live = new ReadModelProjection();
    for (const event of await store.readAll()) live.apply(event);
    const rebuilt = new ReadModelProjection('green');
    await rebuildFromZero(store, rebuilt, { to: head });
    expect(compareReadModels(live, rebuilt)).toEqual([]);

    const flags = rebuilt.flags.query({ limit: 10 }).items.map((r) => r.flag);
    expect(flags.map((f) => f.flagId)).toEqual([
      'flag-v1-access-denied',
      'flag-v1-monitor-finding',
      'flag-v1-quantity-shrinkage',
      'flag-v2',
    ]);
    expect(flags[1].observed).toEqual({
      verificationId: 'VER-0117-1',
      finding: 'not_found',
      siteId: SampleIds.siteId,
    });
    const document = rebuilt.consignment(SampleIds.consignmentId)!;
    expect(document.flags).toHaveLength(4);
    expect(JSON.stringify(document.flags)).not.toContain(monitor);
    // Only a raw read would miss them: the read model knows the current type alone.
    const blind = new ReadModelProjection('raw');
    await rebuildFromZero(raw, blind, { to: head });
    expect(blind.flags.query({ limit: 10 }).items.map((r) => r.flag.flagId)).toEqual(['flag-v2']);
  });

  it('verify and export read the log as stored: both still verify, whatever layer they are handed', async () => {
    expect(await verifyStore(store)).toMatchObject({ ok: true, broken: 0, checkpoints: 1 });

    const lines: string[] = [];
    for await (const line of exportLines(
      store,
      { kind: 'stream', streamId: riskStream },
      {
        format: 'ndjson',
        checkpoint: (await raw.readStream('audit-checkpoints')).at(-1),
        now: () => new Date(),
        newId: randomUUID,
      },
    ))
      lines.push(line.trimEnd());
    const exported = lines.slice(2, -1).map((l) => JSON.parse(l) as { type: string });
    expect(exported.map((e) => e.type)).toEqual([V1, V1, V1, V2]);
    expect(await verifyExport(asyncLines(lines))).toMatchObject({ ok: true, broken: 0 });
  });

  it('would break if verification read the upcast view (why it must not)', async () => {
    const upcast = upcastingStore(raw);
    const view: EventStore = {
      name: 'upcast view without its stored form',
      append: (...a) => upcast.append(...a),
      appendMany: (...a) => upcast.appendMany(...a),
      readStream: (...a) => upcast.readStream(...a),
      readAll: (...a) => upcast.readAll(...a),
      subscribeToAll: (...a) => upcast.subscribeToAll(...a),
      headPosition: () => upcast.headPosition(),
      close: async () => undefined,
    };
    const report = await verifyStore(view);
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toMatchObject({ streamId: riskStream, revision: 0 });
  });
});
