import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SUPERSEDED_REASON } from '@aidwatch/alerts';
import type { EventStore, StoredEvent } from '@aidwatch/event-store';
import { cleared, flag, raised } from '../../alerts/src/testing/alert-fixtures';
import { AlertBookProjection } from './alert-book.projection';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store';
import { comparableBook as comparable } from './testing/comparable-book';

const stored = (e: ReturnType<typeof raised>, position: number): StoredEvent => ({
  ...e,
  streamId: 'flags',
  revision: position,
  position: String(position),
  metadata: {},
});

/** Writes the projection's checkpoint in parts as the runner does (a few keys a part). */
async function checkpoint(
  store: SqliteCheckpointStore,
  p: AlertBookProjection,
  position: number,
  all: boolean,
) {
  const parts = p.checkpointParts(all);
  const generation = await store.beginParts(p.name);
  for (let i = 0; i < parts.keys.length; i += 3)
    await store.writePart(
      p.name,
      generation,
      parts.keys.slice(i, i + 3).map((key): [string, unknown] => [key, parts.entry(key)]),
    );
  await store.commitParts(p.name, generation, String(position), parts.head, new Date(), all);
  return parts.keys.length;
}

describe('AlertBookProjection checkpoints in parts (SQLite checkpoint store)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alert-book-parts-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes only what changed since the last checkpoint, and restores the book and every classification', async () => {
    const noStore = {} as EventStore; // flags about consignments locate no vessel: the store is not read
    const store = new SqliteCheckpointStore(path.join(dir, 'checkpoints.sqlite'));
    const first = new AlertBookProjection(noStore);
    const events: StoredEvent[] = [];
    for (let i = 0; i < 50; i++) {
      const f = flag({ fingerprint: `p${i}`, flagId: `f${i}`, consignmentIds: ['C-1'] });
      events.push(stored(raised(f), events.length));
      if (i % 5 === 0)
        events.push(stored(cleared(f, i % 10 === 0 ? SUPERSEDED_REASON : 'gone'), events.length));
    }
    const split = events.length - 5;
    for (const e of events.slice(0, split)) await first.apply(e);
    const whole = await checkpoint(store, first, split - 1, true);
    for (const e of events.slice(split)) await first.apply(e);
    const changed = await checkpoint(store, first, events.length - 1, false);
    // The second checkpoint writes the few alerts, latest flags and classifications the last events touched.
    expect(whole).toBeGreaterThan(140);
    expect(changed).toBeLessThanOrEqual(15);

    const saved = await store.load(first.name);
    expect(saved?.incremental).toBe(true);
    const second = new AlertBookProjection(noStore);
    second.restore(saved!.snapshot);
    expect(comparable(second)).toEqual(comparable(first));
    for (const e of events) {
      expect(second.folded(e.id)).toBe(true);
      expect(await second.classificationOf(e.id, 1)).toEqual(await first.classificationOf(e.id, 1));
    }
  });
});
