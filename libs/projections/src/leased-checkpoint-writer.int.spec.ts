import { storeEventId, type AidEvent } from '@aidwatch/domain';
import { InMemoryEventStore } from '@aidwatch/event-store';
import { createTestDatabase, describeWithPostgres } from '@aidwatch/event-store/testing';
import { SUPERSEDED_REASON } from '@aidwatch/alerts';
import { cleared, flag, raised } from '../../alerts/src/testing/alert-fixtures';
import { AlertBookProjection } from './alert-book.projection';
import { LeasedCheckpointWriter } from './leased-checkpoint-writer';
import { PostgresCheckpointStore } from './postgres-checkpoint-store';
import { ProjectionRunner, type CheckpointWriter } from './projection-runner';
import { comparableBook as comparable } from './testing/comparable-book';

/** A writer that can be held back (a replica paused, or not checkpointing): it then claims nothing. */
class Pausable implements CheckpointWriter {
  paused = false;
  /** What each claim answered while not paused. */
  readonly claims: Array<'none' | 'new' | 'same'> = [];
  constructor(readonly inner: LeasedCheckpointWriter) {}
  async claim() {
    if (this.paused) return 'none' as const;
    const claim = await this.inner.claim();
    this.claims.push(claim);
    return claim;
  }
}

describeWithPostgres(
  'LeasedCheckpointWriter: API replicas writing one alert-book checkpoint in parts',
  () => {
    it('whoever writes, the checkpoint restores the book as folded; an interrupted write leaves the last one whole', async () => {
      const database = await createTestDatabase('leased_checkpoints');
      const events = new InMemoryEventStore();
      let n = 0;
      const flagsFor = async (count: number) => {
        for (let i = 0; i < count; i++, n++) {
          const f = flag({ fingerprint: `p${n % 40}`, flagId: `f${n}`, consignmentIds: [`C-${n % 7}`] });
          const e = n % 6 === 5 ? cleared(f, n % 12 === 5 ? SUPERSEDED_REASON : 'gone') : raised(f);
          await events.append(
            'flags',
            [{ id: storeEventId(e.data as AidEvent), type: e.type, data: e.data, metadata: {} }],
            'any',
          );
        }
      };
      const replicas = ['a', 'b'].map((holder) => {
        const checkpoints = new PostgresCheckpointStore({ connectionString: database.url });
        const projection = new AlertBookProjection(events);
        const writer = new Pausable(
          new LeasedCheckpointWriter(checkpoints, projection.name, {
            connectionString: database.url,
            holder,
            ttlMs: 300,
          }),
        );
        const written: number[] = [];
        const runner = new ProjectionRunner(events, checkpoints, projection, {
          checkpointEveryEvents: 5,
          checkpointEveryMs: 60_000,
          checkpointPartSize: 7,
          checkpointWriter: writer,
          onCheckpoint: (info) => written.push(info.subjects ?? -1),
        });
        return { holder, checkpoints, projection, writer, runner, written };
      });
      const [a, b] = replicas;
      const restored = async () => {
        const reader = new PostgresCheckpointStore({ connectionString: database.url });
        try {
          const saved = await reader.load(a.projection.name);
          const p = new AlertBookProjection(events);
          p.restore(saved!.snapshot);
          return { position: saved!.position, book: comparable(p) };
        } finally {
          await reader.close();
        }
      };
      const settle = async () => {
        for (const r of replicas) await r.runner.caughtUp();
      };
      try {
        // a alone runs at first: it writes the first checkpoint (all of it), then only what changed.
        b.writer.paused = true;
        for (const r of replicas) r.runner.start();
        await flagsFor(30);
        await settle();
        await flagsFor(10);
        await settle();
        expect(a.written.length).toBeGreaterThanOrEqual(2);
        expect(a.writer.claims[0]).toBe('new');
        expect(a.writer.claims.slice(1).every((c) => c === 'same')).toBe(true);
        expect(b.written).toEqual([]);
        expect((await restored()).book).toEqual(comparable(a.projection));

        // a stops writing (paused); once its lease has lapsed, b takes over and writes everything first.
        a.writer.paused = true;
        b.writer.paused = false;
        await new Promise((resolve) => setTimeout(resolve, 400));
        await flagsFor(12);
        await settle();
        await flagsFor(13);
        await settle();
        expect(b.written.length).toBeGreaterThanOrEqual(2);
        // b took the lapsed lease (a new generation: it wrote everything first), then kept it.
        expect(b.writer.claims[0]).toBe('new');
        expect(b.writer.claims.slice(1).every((c) => c === 'same')).toBe(true);
        expect((await restored()).book).toEqual(comparable(b.projection));

        // a comes back after b's lease lapsed: what a knew of the checkpoint's rows is b's past now.
        b.writer.paused = true;
        a.writer.paused = false;
        await new Promise((resolve) => setTimeout(resolve, 400));
        const before = a.written.length;
        await flagsFor(11);
        await settle();
        await flagsFor(9);
        await settle();
        expect(a.written.length).toBeGreaterThan(before);
        // a's second generation: it claimed the lapsed lease afresh.
        expect(a.writer.claims.lastIndexOf('new')).toBeGreaterThan(0);
        const committed = await restored();
        expect(committed.book).toEqual(comparable(a.projection));

        // A write cut short (a replica killed between parts) leaves the committed checkpoint as it was, even
        // from a process that never loaded it.
        const killed = new PostgresCheckpointStore({ connectionString: database.url });
        try {
          const parts = a.projection.checkpointParts(true);
          const generation = await killed.beginParts(a.projection.name);
          await killed.writePart(
            a.projection.name,
            generation,
            parts.keys.map((key): [string, unknown] => [key, { overwritten: true }]),
          );
        } finally {
          await killed.close();
        }
        expect(await restored()).toEqual(committed);
      } finally {
        for (const r of replicas) {
          await r.runner.stop();
          await r.writer.inner.close();
          await r.checkpoints.close();
        }
        await database.drop();
      }
    }, 60_000);
  },
);
