import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { EventTypes, storeEventId, streamOf, type AidEvent, type Flag } from '@aidwatch/domain';
import {
  comparePositions,
  EmbeddedEventStore,
  InMemoryEventStore,
  PostgresEventStore,
  type PrunableEventStore,
  type StoredEvent,
} from '@aidwatch/event-store';
import { createTestDatabase, describeWithPostgres } from '@aidwatch/event-store/testing';
import { Client } from 'pg';
import { simulateTraffic } from '@aidwatch/maritime';
import { flagRaisedEvent, flagWrites } from '@aidwatch/projections';
import { writeCheckpoint } from '../audit-checkpoint';
import { exportLines } from '../event-export';
import { verifyExport } from '../export-verification';
import { verifyExportFile } from '../export-file';
import { verifyStore } from '../store-verification';
import { archiveRawPositions, RetentionUnsupportedError, type RetentionOptions } from './position-retention';
import { RETENTION_STREAM } from './retention-record';

const RECORDED = '2026-01-10T00:00:00.000Z';
const NOW = new Date('2026-03-01T00:00:00Z');

interface Scenario {
  store: PrunableEventStore;
  dir: string;
  archiveDir: string;
  /** The position a flag cites, and its stored form. */
  cited: StoredEvent;
  head: string;
  options: (overrides?: Partial<RetentionOptions>) => RetentionOptions;
  dispose: () => Promise<void>;
  /** Deletes one row behind the store's back, as someone with access to the database could. */
  deleteByHand: (id: string) => Promise<void>;
}

/** A store whose clock says every event was recorded at `RECORDED`; `remove` deletes its data. */
interface StoreFixture {
  store: PrunableEventStore;
  deleteByHand: (id: string) => Promise<void>;
  remove: () => Promise<void>;
}

type OpenStore = (dir: string, clock: () => Date) => Promise<StoreFixture>;

const embedded: OpenStore = async (dir, clock) => {
  const store = new EmbeddedEventStore({ path: path.join(dir, 'events.sqlite'), clock });
  return {
    store,
    deleteByHand: async (id) => {
      const db = new Database(store.file);
      db.prepare('DELETE FROM events WHERE id = ?').run(id);
      db.close();
    },
    remove: async () => undefined,
  };
};

const postgres: OpenStore = async (_dir, clock) => {
  const database = await createTestDatabase('retention');
  const store = new PostgresEventStore({ connectionString: database.url, clock });
  return {
    store,
    deleteByHand: async (id) => {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      await client.query('DELETE FROM aidwatch_events WHERE id = $1', [id]);
      await client.end();
    },
    remove: () => database.drop(),
  };
};

/** Simulated AIS traffic recorded in January, a checkpoint, and a flag citing one position, as detection writes it. */
async function scenario(open: OpenStore): Promise<Scenario> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-retention-'));
  const fixture = await open(dir, () => new Date(RECORDED));
  const store = fixture.store;
  const traffic = simulateTraffic({
    vessels: 4,
    hours: 3,
    seed: 11,
    start: '2026-01-09T00:00:00Z',
    downsample: 2,
    anomalySets: 0,
  });
  const events: AidEvent[] = [...traffic.events()];
  for (let i = 0; i < events.length; i += 500)
    await store.appendMany(
      events.slice(i, i + 500).map((e) => ({
        streamId: streamOf(e),
        events: [{ id: storeEventId(e), type: e.type, data: e }],
      })),
    );
  const vessel = streamOf(events[0]);
  const positions = (await store.readStream(vessel)).filter(
    (e) => e.type === EventTypes.VesselPositionReported,
  );
  const cited = positions[Math.floor(positions.length / 2)];
  const flag = {
    flagId: 'flag-gap-1',
    fingerprint: 'fp-1',
    rule: 'ais-gap',
    severity: 'medium',
    subject: { kind: 'vessel', id: vessel.slice('vessel-'.length) },
    consignmentIds: [],
    observed: {},
    threshold: {},
    evidence: [(cited.data as { id: string }).id],
    explanation: 'AIS went silent.',
    raisedAt: '2026-01-09T02:00:00Z',
  } as Flag;
  await store.appendMany(flagWrites([flagRaisedEvent(flag)]));
  await writeCheckpoint(store, randomUUID, () => new Date(RECORDED));
  const head = (await store.headPosition()) as string;
  const archiveDir = path.join(dir, 'archive');
  return {
    store,
    dir,
    archiveDir,
    cited,
    head,
    options: (overrides = {}) => ({
      archiveDir,
      olderThanDays: 30,
      judgedUpTo: head,
      now: () => NOW,
      maxEventsPerFile: 400,
      ...overrides,
    }),
    deleteByHand: fixture.deleteByHand,
    dispose: async () => {
      await store.close();
      await fixture.remove();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const all = (store: PrunableEventStore) => store.readAll();
const recordsOf = async (store: PrunableEventStore) => (await store.readStream(RETENTION_STREAM)).length;

describe('retention of raw positions on an embedded store', () => {
  describeRetention(embedded);
});

describeWithPostgres('retention of raw positions on PostgreSQL', () => {
  describeRetention(postgres);
});

function describeRetention(open: OpenStore): void {
  jest.setTimeout(60_000);
  let s: Scenario;
  beforeEach(async () => (s = await scenario(open)));
  afterEach(() => s.dispose());

  it('archives old judged positions into files, keeps cited, static and newest events, and verifies exactly', async () => {
    const before = await verifyStore(s.store);
    expect(before).toMatchObject({ ok: true, archived: 0, fromArchives: 0 });
    const stored = await all(s.store);

    const report = await archiveRawPositions(s.store, s.options());
    expect(report.archived).toBeGreaterThan(800);
    expect(report.files.length).toBeGreaterThan(1);
    expect(report.kept.cited).toBe(1);
    expect(report.kept.newest).toBe(4);

    // What stays: the cited position, every static report, every other fact, every stream's newest event.
    const left = await all(s.store);
    const leftIds = new Set(left.map((e) => e.id));
    expect(leftIds.has(s.cited.id)).toBe(true);
    expect((await s.store.readStream(s.cited.streamId)).find((e) => e.id === s.cited.id)?.data).toEqual(
      s.cited.data,
    );
    for (const e of stored)
      if (e.type !== EventTypes.VesselPositionReported) expect(leftIds.has(e.id)).toBe(true);
    const heads = new Map(stored.map((e) => [e.streamId, e.id]));
    for (const id of heads.values()) expect(leftIds.has(id)).toBe(true);
    expect(left.length - (await recordsOf(s.store))).toBe(stored.length - report.archived);

    // Without the archives: recorded gaps are accepted and counted.
    const without = await verifyStore(s.store);
    expect(without).toMatchObject({ ok: true, broken: 0, archived: report.archived, fromArchives: 0 });
    // With them: the chains are checked link by link as before archiving (one stream of records more).
    const withArchives = await verifyStore(s.store, { archiveDir: s.archiveDir });
    const records = await recordsOf(s.store);
    const {
      archived: _a,
      fromArchives,
      archiveFiles,
      ...rest
    } = withArchives as typeof withArchives & { archiveFiles: unknown };
    expect(fromArchives).toBe(report.archived);
    expect(withArchives.archived).toBe(0);
    expect(archiveFiles).toEqual({ read: report.files.length, missing: [] });
    const { archived: _b, fromArchives: _c, ...beforeRest } = before;
    expect(rest).toEqual({ ...beforeRest, events: before.events + records, streams: before.streams + 1 });
    expect(withArchives.events - records).toBe(stored.length);

    // Each file verifies offline, as an export does.
    for (const file of report.files) {
      expect(fs.readFileSync(path.join(s.archiveDir, file.file)).subarray(0, 2)).toEqual(
        Buffer.from([0x1f, 0x8b]),
      );
      expect(await verifyExportFile(path.join(s.archiveDir, file.file))).toMatchObject({
        ok: true,
        events: file.events,
      });
    }
  });

  it('archives nothing detection has not judged', async () => {
    const everything = await all(s.store);
    const judgedUpTo = everything[Math.floor(everything.length / 2)].position;
    const report = await archiveRawPositions(s.store, s.options({ judgedUpTo }));
    expect(report.archived).toBeGreaterThan(0);
    for (const file of report.files)
      expect(comparePositions(file.toPosition, judgedUpTo)).toBeLessThanOrEqual(0);
    const after = await all(s.store);
    const positionsAfter = after.filter(
      (e) => e.type === EventTypes.VesselPositionReported && comparePositions(e.position, judgedUpTo) > 0,
    );
    const positionsBefore = (await s.store.readAll({ after: judgedUpTo })).filter(
      (e) => e.type === EventTypes.VesselPositionReported,
    );
    expect(positionsAfter.length).toBe(positionsBefore.length);
    expect(await archiveRawPositions(s.store, s.options({ judgedUpTo: undefined }))).toMatchObject({
      archived: 0,
    });
  });

  it('keeps positions recorded within the retention period, and a dry run changes nothing', async () => {
    expect((await archiveRawPositions(s.store, s.options({ olderThanDays: 60 }))).archived).toBe(0);
    const count = (await all(s.store)).length;
    const dry = await archiveRawPositions(s.store, s.options({ dryRun: true }));
    expect(dry.archived).toBeGreaterThan(800);
    expect(dry.files).toEqual([]);
    expect((await all(s.store)).length).toBe(count);
    expect(fs.readdirSync(s.archiveDir)).toEqual([]);
    const real = await archiveRawPositions(s.store, s.options());
    expect(real.archived).toBe(dry.archived);
  });

  it('when one more row is deleted by hand, verification names its stream', async () => {
    await archiveRawPositions(s.store, s.options());
    await s.deleteByHand(s.cited.id);
    for (const report of [
      await verifyStore(s.store),
      await verifyStore(s.store, { archiveDir: s.archiveDir }),
    ]) {
      expect(report.ok).toBe(false);
      expect(report.firstBroken?.streamId).toBe(s.cited.streamId);
      expect(report.firstBroken?.reason).toMatch(/events are missing/);
    }
  });

  it('when one byte of an archive changes, verification with the archives fails naming the file', async () => {
    const report = await archiveRawPositions(s.store, s.options());
    const file = path.join(s.archiveDir, report.files[1].file);
    const text = gunzipSync(fs.readFileSync(file)).toString('utf8');
    const at = text.indexOf('"sog":') + '"sog":'.length;
    const edited = text.slice(0, at) + (text[at] === '9' ? '8' : '9') + text.slice(at + 1);
    fs.writeFileSync(file, gzipSync(edited));
    const verified = await verifyStore(s.store, { archiveDir: s.archiveDir });
    expect(verified.ok).toBe(false);
    expect(verified.firstBroken).toMatchObject({ file: report.files[1].file });
    expect(verified.firstBroken?.reason).toMatch(/content does not hash/);
    expect((await verifyExportFile(file)).ok).toBe(false);
    // A flipped byte of the compressed file itself: it no longer decompresses.
    const bytes = gzipSync(text);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const unreadable = await verifyStore(s.store, { archiveDir: s.archiveDir });
    expect(unreadable.ok).toBe(false);
    expect(unreadable.firstBroken?.file).toBe(report.files[1].file);
    // Without the archives the store alone still verifies: the records account for the gaps.
    expect((await verifyStore(s.store)).ok).toBe(true);
  });

  it('when a run stops after writing a record, before deleting, the next run finishes the deletion', async () => {
    const prune = s.store.prune.bind(s.store);
    const spy = jest.spyOn(s.store, 'prune').mockRejectedValueOnce(new Error('power cut'));
    await expect(archiveRawPositions(s.store, s.options())).rejects.toThrow('power cut');
    const [record] = await s.store.readStream(RETENTION_STREAM);
    const recorded = (record.data as { data: { events: number; file: string } }).data;
    expect((await all(s.store)).length).toBeGreaterThan(recorded.events); // nothing deleted yet
    // Rows both in the store and in the archive: verification takes each once.
    expect(await verifyStore(s.store, { archiveDir: s.archiveDir })).toMatchObject({ ok: true });
    spy.mockImplementation(prune);
    const next = await archiveRawPositions(s.store, s.options());
    expect(next.completed).toEqual([{ file: recorded.file, deleted: recorded.events }]);
    expect(await archiveRawPositions(s.store, s.options())).toMatchObject({ archived: 0, completed: [] });
    expect(await verifyStore(s.store)).toMatchObject({ ok: true, archived: next.archived + recorded.events });
  });

  it('refuses to delete a pending record’s rows when its archive is missing', async () => {
    jest.spyOn(s.store, 'prune').mockRejectedValueOnce(new Error('power cut'));
    await expect(archiveRawPositions(s.store, s.options())).rejects.toThrow('power cut');
    for (const name of fs.readdirSync(s.archiveDir)) fs.rmSync(path.join(s.archiveDir, name));
    const count = (await all(s.store)).length;
    await expect(archiveRawPositions(s.store, s.options())).rejects.toThrow(/is missing/);
    expect((await all(s.store)).length).toBe(count);
  });

  it("a stream's export after archiving says the stream is partial, and verifies offline", async () => {
    await archiveRawPositions(s.store, s.options());
    const lines: string[] = [];
    for await (const line of exportLines(
      s.store,
      { kind: 'stream', streamId: s.cited.streamId },
      {
        format: 'ndjson',
        now: () => NOW,
        newId: randomUUID,
        checkpoint: await writeCheckpoint(s.store, randomUUID, () => NOW),
      },
    ))
      lines.push(line.slice(0, -1));
    expect(JSON.parse(lines[0]).data.partialStreams).toEqual([s.cited.streamId]);
    expect(await verifyExport(lines)).toMatchObject({ ok: true });
    const checkpoints = [];
    for await (const line of exportLines(
      s.store,
      { kind: 'stream', streamId: 'audit-checkpoints' },
      { format: 'ndjson', now: () => NOW, newId: randomUUID },
    ))
      checkpoints.push(JSON.parse(line));
    expect(checkpoints[0].data.partialStreams).toEqual([]);
  });

  it('refuses a store that cannot delete events', async () => {
    await expect(archiveRawPositions(new InMemoryEventStore(), s.options())).rejects.toBeInstanceOf(
      RetentionUnsupportedError,
    );
  });
}
