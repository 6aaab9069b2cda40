import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { storeEventId } from '@aidwatch/domain';
import { verificationReported } from '@aidwatch/domain/testing';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { writeCheckpoint } from './audit-checkpoint';
import { verifyStore } from './store-verification';
import { appendFacts, auditStory, raiseFlag } from './testing/audit-story';

describe('verifying the store', () => {
  let store: EmbeddedEventStore;
  const now = () => new Date('2024-05-01T00:00:00Z');

  beforeEach(async () => {
    store = EmbeddedEventStore.temporary();
    await appendFacts(store, auditStory());
    await raiseFlag(store);
  });
  afterEach(() => store.close());

  /** Edits the SQLite file directly, as someone with access to it could, behind the store's back. */
  const behindTheStoresBack = (sql: string, ...params: unknown[]) => {
    const db = new Database(store.file);
    db.prepare(sql).run(...params);
    db.close();
  };

  it('given an untouched log and a checkpoint, every chain and the checkpoint hold', async () => {
    await writeCheckpoint(store, randomUUID, now);
    const report = await verifyStore(store);
    expect(report).toMatchObject({ ok: true, events: 10, checkpoints: 1, firstBroken: null, broken: 0 });
    expect(report.latestRoot).toMatch(/^[0-9a-f]{64}$/);
  });

  it("when a verification's monitor is edited in the file, verify names exactly that event", async () => {
    const verification = storeEventId(verificationReported());
    behindTheStoresBack(
      `UPDATE events SET data = replace(data, '"monitorId":"MON-017"', '"monitorId":"MON-099"') WHERE id = ?`,
      verification,
    );
    const report = await verifyStore(store);
    expect(report.ok).toBe(false);
    expect(report.broken).toBe(1);
    expect(report.firstBroken).toMatchObject({
      eventId: verification,
      streamId: 'consignment-CSG-2024-0117',
      revision: 4,
    });
    expect(report.firstBroken?.reason).toMatch(/content does not hash to its chain link/);
  });

  it('when an event is deleted, verify names the one after the gap', async () => {
    const [, second, third] = await store.readStream('consignment-CSG-2024-0117');
    behindTheStoresBack('DELETE FROM events WHERE id = ?', second.id);
    const report = await verifyStore(store);
    expect(report.firstBroken).toMatchObject({ eventId: third.id, revision: 2 });
    expect(report.firstBroken?.reason).toMatch(/events are missing/);
  });

  it('when a whole stream is rewritten with fresh hashes, the checkpoint catches it', async () => {
    await writeCheckpoint(store, randomUUID, now);
    const [registered] = await store.readStream('consignment-CSG-2024-0117');
    // Rewrite the first event and re-chain the stream so every link is self-consistent again.
    const forged = EmbeddedEventStore.temporary();
    for (const event of await store.readStream('consignment-CSG-2024-0117')) {
      const data = event.id === registered.id ? { ...(event.data as object), forged: true } : event.data;
      await forged.append(event.streamId, [{ id: event.id, type: event.type, data }]);
    }
    const rows = await forged.readStream('consignment-CSG-2024-0117');
    for (const row of rows)
      behindTheStoresBack(
        'UPDATE events SET data = ?, metadata = ? WHERE id = ?',
        JSON.stringify(row.data),
        JSON.stringify(row.metadata),
        row.id,
      );
    await forged.close();
    const report = await verifyStore(store);
    expect(report.ok).toBe(false);
    expect(report.firstBroken?.reason).toMatch(/differs from the head recorded by checkpoint/);
    expect(report.firstBroken?.streamId).toBe('consignment-CSG-2024-0117');
  });
});

describe('verifying a large store', () => {
  it('gives the event loop a turn between pages: a timer due meanwhile runs before the verification ends', async () => {
    const store = EmbeddedEventStore.temporary();
    try {
      for (let batch = 0; batch < 5; batch++)
        await store.append(
          `vessel-${batch}`,
          Array.from({ length: 1000 }, () => ({
            id: randomUUID(),
            type: 'aidwatch.test.position',
            data: {},
          })),
        );
      let timerRan = false;
      let verified = false;
      setTimeout(() => (timerRan = !verified), 0);
      const report = await verifyStore(store);
      verified = true;
      expect(report).toMatchObject({ ok: true, events: 5000 });
      expect(timerRan).toBe(true);
    } finally {
      await store.close();
    }
  });
});
