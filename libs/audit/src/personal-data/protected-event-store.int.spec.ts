import Database from 'better-sqlite3';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { deliveryRecorded, SampleIds, verificationReported } from '@aidwatch/domain/testing';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { writeCheckpoint } from '../audit-checkpoint';
import { verifyStore } from '../store-verification';
import { appendFacts, auditStory } from '../testing/audit-story';
import { FORGOTTEN, PersonalDataCipher } from './personal-data-cipher';
import { ProtectedEventStore } from './protected-event-store';
import { SqliteSubjectKeyStore, type SubjectKeyStore } from './subject-key-store';

describe('personal data encrypted per data subject, and forgotten by destroying the key', () => {
  let sealed: EmbeddedEventStore;
  let keys: SubjectKeyStore;
  let store: ProtectedEventStore;
  const monitorOf = async () => {
    const events = await store.readStream(`consignment-${SampleIds.consignmentId}`);
    const verification = events.find((e) => e.type === verificationReported().type);
    return (verification?.data as { data: { monitorId: string } }).data.monitorId;
  };

  beforeEach(async () => {
    sealed = EmbeddedEventStore.temporary();
    keys = new SqliteSubjectKeyStore(path.join(path.dirname(sealed.file), 'subject-keys.sqlite'));
    store = new ProtectedEventStore(sealed, new PersonalDataCipher(keys));
    await appendFacts(store, auditStory());
  });
  afterEach(() => store.close());

  it('readers see the monitor and the recipient; the log holds neither in readable form', async () => {
    expect(await monitorOf()).toBe(SampleIds.monitorId);
    const raw = new Database(sealed.file, { readonly: true });
    const rows = raw.prepare('SELECT data FROM events').all() as Array<{ data: string }>;
    raw.close();
    const text = rows.map((r) => r.data).join('\n');
    expect(text).not.toContain(SampleIds.monitorId);
    expect(text).not.toContain(deliveryRecorded().data.receivedBy);
    expect(text).toMatch(/"monitorId":"pd1\.[0-9a-f]{64}\./);
  });

  it('a subscription hands over the same opened events by pages as by events, as readAll does', async () => {
    const all = await store.readAll();
    const byEvents = store.subscribeToAll();
    const events: unknown[] = [];
    for await (const event of byEvents) {
      events.push(event);
      if (events.length === all.length) break;
    }
    const byPages = store.subscribeToAll();
    const pages: unknown[] = [];
    for await (const page of byPages.pages!()) {
      pages.push(...page);
      if (pages.length >= all.length) break;
    }
    expect(byPages.isClosed?.()).toBe(true);
    expect(events).toEqual(all);
    expect(pages).toEqual(all);
    expect(JSON.stringify(pages)).toContain(SampleIds.monitorId);
  });

  it('the same event stored again seals the same way (idempotent repeats stay byte-identical)', async () => {
    const cipher = new PersonalDataCipher(keys);
    const seal = (subject: string) => cipher.seal(subject, 'MON-017');
    expect(await seal('monitor:MON-017')).toBe(await seal('monitor:MON-017'));
    expect(await seal('monitor:MON-017')).not.toBe(await seal('monitor:MON-018'));
    expect(await cipher.openAll([await seal('monitor:MON-017'), 'not sealed'])).toEqual([
      'MON-017',
      'not sealed',
    ]);
  });

  it('after forget the monitor reads as forgotten, others are untouched, and the chain still verifies', async () => {
    await writeCheckpoint(sealed, randomUUID, () => new Date());
    expect(await keys.forget(`monitor:${SampleIds.monitorId}`)).toBe(true);
    expect(await monitorOf()).toBe(FORGOTTEN);
    const [delivery] = (await store.readStream(`consignment-${SampleIds.consignmentId}`)).filter(
      (e) => e.type === deliveryRecorded().type,
    );
    expect((delivery.data as { data: { receivedBy: string } }).data.receivedBy).toBe(
      deliveryRecorded().data.receivedBy,
    );
    expect(await verifyStore(sealed)).toMatchObject({ ok: true, broken: 0, checkpoints: 1 });
    expect(await keys.forget('monitor:never-seen')).toBe(false);
  });
});
