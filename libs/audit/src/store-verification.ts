import * as fs from 'node:fs';
import * as path from 'node:path';
import { comparePositions, storedFormOf, type EventStore, type StoredEvent } from '@aidwatch/event-store';
import { CHECKPOINT_STREAM, checkpointDataOf } from './audit-checkpoint';
import { ChainVerifier, type ChainedEvent, type VerificationReport } from './chain-verifier';
import { exportFileLines } from './export-file';
import {
  chainedEventOf,
  EXPORT_COMPLETED_TYPE,
  EXPORT_STARTED_TYPE,
  type ExportedEvent,
} from './export-format';
import { ExportDigest } from './export-verification';
import {
  archiveRecordsOf,
  ArchivedRevisions,
  positionsArchivedDataOf,
  RETENTION_STREAM,
  type ArchiveRecord,
  type PositionsArchivedData,
} from './retention/retention-record';
import { readAllInPages, readStreamInPages } from './store-reading';

export interface VerifyStoreOptions {
  /**
   * The retention archive directory (AIS_ARCHIVE_DIR): the files retention records name are read back and
   * their events merged with the store's by position, so every chain is checked link by link as before
   * archiving. Without it, recorded gaps are accepted and counted in `archived`.
   */
  archiveDir?: string;
  /** Called every 10,000 events with the count so far. */
  onProgress?: (events: number) => void;
}

export interface StoreVerificationReport extends VerificationReport {
  /** Events read back from archive files (counted in `events` too). */
  fromArchives: number;
  /**
   * With an archive directory: the files read back, and those records name that are not there (their
   * events are counted in `archived`, as without the directory).
   */
  archiveFiles?: { read: number; missing: string[] };
}

/**
 * Recomputes every stream's hash chain over the whole store, in store order, and holds the events to the
 * heads recorded by every checkpoint. Names the first broken link. A gap is accepted only where retention
 * records (`audit-retention`) name exactly the missing revisions; with `archiveDir`, the archives are read
 * back instead: each file must match its record's digest, hold exactly the events its record lists, and
 * its events take their place in the chains. Memory: one page, one entry per stream and per checkpointed
 * head, the revision ranges of the records, and one open file per archive whose positions overlap.
 * Reads the log as stored (`storedFormOf`): events of superseded versions as they were written, personal
 * data sealed — never the upcast or opened view readers get.
 */
export async function verifyStore(
  readable: EventStore,
  options: VerifyStoreOptions = {},
): Promise<StoreVerificationReport> {
  const store = storedFormOf(readable);
  const parts: PositionsArchivedData[] = [];
  for await (const event of readStreamInPages(store, RETENTION_STREAM)) {
    const record = positionsArchivedDataOf(event);
    if (record) parts.push(record);
  }
  const records = archiveRecordsOf(parts);
  const read: ArchiveRecord[] = [];
  const missing: string[] = [];
  const gaps = new ArchivedRevisions();
  for (const record of records) {
    if (options.archiveDir !== undefined && fs.existsSync(path.join(options.archiveDir, record.file)))
      read.push(record);
    else {
      if (options.archiveDir !== undefined) missing.push(record.file);
      gaps.addRecord(record);
    }
  }
  const verifier = new ChainVerifier({ archived: gaps });
  for await (const event of readStreamInPages(store, CHECKPOINT_STREAM)) {
    const checkpoint = checkpointDataOf(event);
    if (checkpoint) verifier.expectCheckpoint(checkpoint, event);
  }
  for (const record of records)
    if (record.file !== path.basename(record.file) || record.file.startsWith('.'))
      verifier.fail(
        { streamId: RETENTION_STREAM, revision: -1, id: '' },
        `a retention record names ${JSON.stringify(record.file)}, not a file of the archive directory`,
      );

  let count = 0;
  let fromArchives = 0;
  const sources = read.map((record) => new ArchiveSource(record, options.archiveDir as string, verifier));
  for await (const { event, source } of mergeByPosition(readAllInPages(store), sources, verifier)) {
    verifier.evolve(event, undefined, source?.record.file);
    if (source) fromArchives++;
    if (++count % 10_000 === 0) options.onProgress?.(count);
  }
  for (const missingHead of verifier.unreachedAnchors()) {
    const at = missingHead.lastIndexOf('@');
    verifier.fail(
      { streamId: missingHead.slice(0, at), revision: Number(missingHead.slice(at + 1)), id: '' },
      'a checkpoint records this head but the store no longer holds it',
    );
  }
  return {
    ...verifier.report(),
    fromArchives,
    ...(options.archiveDir !== undefined && { archiveFiles: { read: read.length, missing } }),
  };
}

type Positioned = ChainedEvent & { position: string };

/**
 * One archive file read back: its events in file order, each checked against the record (listed there),
 * and at the end the file's digest against its completion line and the record. Problems are failures of
 * the verification, naming the file.
 */
class ArchiveSource {
  readonly from: string;
  private readonly file: string;

  constructor(
    readonly record: ArchiveRecord,
    dir: string,
    private readonly verifier: ChainVerifier,
  ) {
    this.file = path.join(dir, record.file);
    this.from = STORE_POSITION.test(record.fromPosition) ? record.fromPosition : '0';
  }

  async *events(): AsyncGenerator<Positioned> {
    const digest = new ExportDigest();
    let number = 0;
    let events = 0;
    let completed = false;
    const fail = (reason: string, event?: Positioned) =>
      this.verifier.fail(
        event ?? { streamId: '', revision: -1, id: '' },
        `archive ${this.record.file}: ${reason}`,
        number,
        this.record.file,
      );
    try {
      for await (const line of exportFileLines(this.file)) {
        number++;
        let value: Partial<ExportedEvent> & { type?: string; data?: unknown };
        try {
          value = JSON.parse(line) as typeof value;
        } catch {
          fail('not a JSON line');
          return;
        }
        if (completed) {
          fail('lines after the completion line');
          return;
        }
        if (number === 1) {
          const scope = (value.data as { scope?: { kind?: string } } | undefined)?.scope;
          if (value.type !== EXPORT_STARTED_TYPE || scope?.kind !== 'archive') {
            fail(`the first line is not ${EXPORT_STARTED_TYPE} of an archive`);
            return;
          }
        } else if (value.type === EXPORT_COMPLETED_TYPE) {
          completed = true;
          const completion = digest.complete(line, value);
          for (const problem of completion.problems) fail(problem);
          if (completion.sha256 !== this.record.sha256)
            fail(`its digest ${completion.sha256} is not the ${this.record.sha256} its record holds`);
          if (completion.events !== events || events !== this.record.events)
            fail(
              `it holds ${events} events, its completion line says ${completion.events}, its record ${this.record.events}`,
            );
          continue;
        } else {
          const event = positionedEventOf(value);
          if (!event) {
            fail('not an exported event (stream, revision, position, metadata or hash missing)');
            return;
          }
          events++;
          if (!this.listed(event))
            fail(`it holds ${event.streamId}@${event.revision}, which its record does not list`, event);
          digest.line(line);
          yield event;
          continue;
        }
        digest.line(line);
      }
    } catch (error) {
      number++;
      fail(`cannot be read: ${(error as Error).message}`);
      return;
    }
    if (!completed) fail('no completion line: the archive is truncated');
  }

  private listed(event: Positioned): boolean {
    const ranges = this.record.streams.get(event.streamId) ?? [];
    return ranges.some(([from, to]) => event.revision >= from && event.revision <= to);
  }
}

function positionedEventOf(value: Partial<ExportedEvent>): Positioned | undefined {
  if (
    typeof value.id !== 'string' ||
    typeof value.type !== 'string' ||
    typeof value.aidwatchstream !== 'string' ||
    !Number.isInteger(value.aidwatchrevision) ||
    typeof value.aidwatchposition !== 'string' ||
    !STORE_POSITION.test(value.aidwatchposition) ||
    typeof value.aidwatchmetadata !== 'string' ||
    typeof value.aidwatchprevious !== 'string' ||
    typeof value.aidwatchhash !== 'string'
  )
    return undefined;
  try {
    return chainedEventOf(value as ExportedEvent) as Positioned;
  } catch {
    return undefined;
  }
}

interface Merged {
  event: ChainedEvent;
  /** The archive the event was read from; undefined for the store. */
  source?: ArchiveSource;
}

interface Cursor {
  key: string;
  /** 0 for the store, so the store's event goes first at an equal position. */
  order: number;
  item: Merged;
  rest: AsyncIterator<ChainedEvent>;
  source?: ArchiveSource;
}

/**
 * The store's events and the archives' merged by store position (`comparePositions`: whole numbers on the
 * embedded store, transaction id / sequence on PostgreSQL). An archive is opened only when the merge reaches its first position, and closed when it
 * is read. An event both in the store and in an archive (a run stopped before deleting its rows) is taken
 * once, from the store, after checking the archive holds the same hash.
 */
async function* mergeByPosition(
  store: AsyncIterable<StoredEvent>,
  sources: ArchiveSource[],
  verifier: ChainVerifier,
): AsyncGenerator<Merged> {
  if (sources.length === 0) {
    for await (const event of store) yield { event };
    return;
  }
  const waiting = [...sources].sort((a, b) => comparePositions(a.from, b.from));
  const heap = new CursorHeap();
  const advance = async (cursor: Omit<Cursor, 'key' | 'item'>) => {
    const next = await cursor.rest.next();
    if (next.done) return;
    const event = next.value as ChainedEvent;
    heap.push({ ...cursor, key: event.position ?? '0', item: { event, source: cursor.source } });
  };
  await advance({ order: 0, rest: store[Symbol.asyncIterator]() });
  let opened = 0;
  let last: { key: string; hash: string | undefined } | undefined;
  for (;;) {
    while (
      opened < waiting.length &&
      (heap.size === 0 || comparePositions(waiting[opened].from, heap.peek().key) <= 0)
    ) {
      const source = waiting[opened++];
      await advance({ order: opened, rest: source.events(), source });
    }
    if (heap.size === 0) return;
    const cursor = heap.pop();
    const { event, source } = cursor.item;
    const hash = (event.metadata.chain as { hash?: string } | undefined)?.hash;
    if (last && comparePositions(cursor.key, last.key) === 0) {
      if (hash !== last.hash)
        verifier.fail(
          event,
          `archive ${source?.record.file}: holds a different event at position ${event.position} than the store`,
          undefined,
          source?.record.file,
        );
    } else {
      last = { key: cursor.key, hash };
      yield cursor.item;
    }
    await advance(cursor);
  }
}

/** A binary min-heap of cursors by (position, source order). */
class CursorHeap {
  private readonly items: Cursor[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Cursor {
    return this.items[0];
  }

  push(cursor: Cursor): void {
    const items = this.items;
    items.push(cursor);
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): Cursor {
    const items = this.items;
    const top = items[0];
    const end = items.pop() as Cursor;
    if (items.length > 0) {
      items[0] = end;
      for (let i = 0; ;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < items.length && before(items[left], items[least])) least = left;
        if (right < items.length && before(items[right], items[least])) least = right;
        if (least === i) break;
        [items[i], items[least]] = [items[least], items[i]];
        i = least;
      }
    }
    return top;
  }
}

/** A store position as an export writes it: `n` (embedded) or `xid/n` (PostgreSQL). */
const STORE_POSITION = /^\d+(\/\d+)?$/;

const before = (a: Cursor, b: Cursor) => {
  const order = comparePositions(a.key, b.key);
  return order < 0 || (order === 0 && a.order < b.order);
};
