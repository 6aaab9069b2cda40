import type { StoredEvent } from './event-store.port';
import { matchesFilter, type NormalizedFilter } from './read-options';
import type { InsertedEvent, PreparedWrite } from './sqlite-appender';

/** A row of the embedded store's events table as its writer inserted it: what reading it back gives. */
export interface WrittenRow {
  position: number;
  id: string;
  streamId: string;
  revision: number;
  type: string;
  /** The `data` and `metadata` columns: JSON text, exactly as stored. */
  data: string;
  metadata: string;
  recordedAt: string;
}

/** A row read back as a stored event (the same object a read of the table builds). */
export function storedOf(row: WrittenRow): StoredEvent {
  return {
    id: row.id,
    type: row.type,
    streamId: row.streamId,
    revision: row.revision,
    position: String(row.position),
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    recordedAt: row.recordedAt,
  };
}

/** The row an insert wrote. */
export function rowOf(inserted: InsertedEvent): WrittenRow {
  const { event, streamId, position, revision, metadata, recordedAt } = inserted;
  return {
    position,
    id: event.id,
    streamId,
    revision,
    type: event.type,
    data: event.data,
    metadata,
    recordedAt,
  };
}

/**
 * What a writer on a worker thread tells of its inserts, in columns: each event's index in the group it was
 * sent (its appends' writes' events, in order), its position and revision, and what the sender does not hold
 * — the stored metadata (with the chain link) and the recording time. The id, type, stream and data text are
 * the sender's own, so they do not cross back.
 */
export interface InsertedColumns {
  index: Int32Array;
  position: Float64Array;
  revision: Int32Array;
  metadata: string[];
  recordedAt: string[];
}

/** The columns of `inserted`, events of `groups` (on the writer's thread). */
export function insertedColumns(
  groups: ReadonlyArray<readonly PreparedWrite[]>,
  inserted: readonly InsertedEvent[],
): InsertedColumns {
  const indexOf = new Map<object, number>();
  let next = 0;
  for (const writes of groups)
    for (const write of writes) for (const event of write.events) indexOf.set(event, next++);
  const n = inserted.length;
  const columns: InsertedColumns = {
    index: new Int32Array(n),
    position: new Float64Array(n),
    revision: new Int32Array(n),
    metadata: new Array<string>(n),
    recordedAt: new Array<string>(n),
  };
  for (let i = 0; i < n; i++) {
    const row = inserted[i];
    columns.index[i] = indexOf.get(row.event) ?? -1;
    columns.position[i] = row.position;
    columns.revision[i] = row.revision;
    columns.metadata[i] = row.metadata;
    columns.recordedAt[i] = row.recordedAt;
  }
  return columns;
}

/** The rows the columns tell of, from the `groups` sent (on the sender's thread). */
export function rowsOfColumns(
  groups: ReadonlyArray<readonly PreparedWrite[]>,
  columns: InsertedColumns,
): WrittenRow[] {
  const sent: Array<{ streamId: string; event: PreparedWrite['events'][number] }> = [];
  for (const writes of groups)
    for (const write of writes)
      for (const event of write.events) sent.push({ streamId: write.streamId, event });
  const rows: WrittenRow[] = [];
  for (let i = 0; i < columns.index.length; i++) {
    const at = sent[columns.index[i]];
    // An index the sender cannot place ends the rows: the tail starts over at the next commit.
    if (at === undefined) break;
    rows.push({
      position: columns.position[i],
      id: at.event.id,
      streamId: at.streamId,
      revision: columns.revision[i],
      type: at.event.type,
      data: at.event.data,
      metadata: columns.metadata[i],
      recordedAt: columns.recordedAt[i],
    });
  }
  return rows;
}

/** A lone surrogate (UTF-16 code unit without its pair). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The events this process's writer committed last, kept as their stored text so that subscriptions following
 * the head are fed from memory instead of reading back from SQLite what was just written (the read of a row
 * still in the WAL cost about 6 µs an event during ingest, the JSON parse about 3 µs: only the parse is left).
 *
 * Invariant: the rows are every event of the table at positions (`after`, `head`], in order, as stored. A row
 * joins only at `head + 1` (a transaction's inserts take consecutive rowids under the write lock); a row past
 * that — another process wrote in between, or a commit's answer was lost with its worker — starts the tail
 * over at that row. Rows can also leave the file (retention's prune, by any connection): the store checks
 * that the file still holds every row a page spans before serving it (`EmbeddedEventStore.recentPage`) and
 * `clear()`s the tail otherwise. A row whose stream id or type holds a lone surrogate (which SQLite stores
 * altered) is not kept. Bounded by `maxRows`: the oldest rows go first, and a reader behind them reads from
 * the file.
 */
export class RecentRows {
  private rows: WrittenRow[] = [];
  /** Index in `rows` of the oldest row kept (rows before it are dropped, compacted now and then). */
  private first = 0;
  /** The tail holds every event after this position up to `head`. */
  private after = 0;

  constructor(private readonly maxRows: number) {}

  /** The newest position the tail holds (== `after` when it holds none). */
  get head(): number {
    return this.after + this.rows.length - this.first;
  }

  get size(): number {
    return this.rows.length - this.first;
  }

  /** Rows of one commit (or several, in commit order), in position order. */
  add(rows: readonly WrittenRow[]): void {
    if (this.maxRows <= 0) return;
    for (const row of rows) {
      // SQLite stores a lone surrogate as something else: such a row is read back from the file.
      if (LONE_SURROGATE.test(row.streamId) || LONE_SURROGATE.test(row.type)) {
        this.clear();
        continue;
      }
      if (this.size === 0 || row.position !== this.head + 1) {
        this.rows = [];
        this.first = 0;
        this.after = row.position - 1;
      }
      this.rows.push(row);
    }
    const excess = this.size - this.maxRows;
    if (excess > 0) {
      this.first += excess;
      this.after += excess;
    }
    if (this.first > 1024 && this.first * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.first);
      this.first = 0;
    }
  }

  /** Forgets every row (the next commit starts the tail again). */
  clear(): void {
    this.after = this.head;
    this.rows = [];
    this.first = 0;
  }

  /**
   * The events after `position` that match `filter`, up to `limit` (-1: no limit), with the position up to
   * which the tail was examined; undefined when the tail does not hold every event after `position` (it is
   * behind the tail, or at or past its newest row: read the file).
   */
  page(
    position: number,
    limit: number,
    filter: NormalizedFilter,
  ): { events: StoredEvent[]; scannedTo: number } | undefined {
    if (position < this.after || position >= this.head || limit === 0) return undefined;
    const all = filter.eventTypePrefixes === undefined && filter.streamPrefixes === undefined;
    const events: StoredEvent[] = [];
    const end = this.rows.length;
    for (let i = this.first + (position - this.after); i < end; i++) {
      const row = this.rows[i];
      if (!all && !matchesFilter(filter, row.streamId, row.type)) continue;
      events.push(storedOf(row));
      if (events.length === limit) return { events, scannedTo: row.position };
    }
    return { events, scannedTo: this.head };
  }
}
