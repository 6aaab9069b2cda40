import type Database from 'better-sqlite3';
import type { StoredEvent } from './event-store.port';
import type { NormalizedFilter } from './read-options';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position    INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    stream_id   TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    type        TEXT NOT NULL,
    data        TEXT NOT NULL,
    metadata    TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (stream_id, revision)
  ) STRICT;
`;
const COLUMNS = 'position, id, stream_id, revision, type, data, metadata, recorded_at';

export interface StreamHead {
  revision: number;
  position: number;
  hash: string | null;
}

interface EventRow {
  position: number;
  id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

function toStored(row: EventRow): StoredEvent {
  return {
    id: row.id,
    type: row.type,
    streamId: row.stream_id,
    revision: row.revision,
    position: String(row.position),
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    recordedAt: row.recorded_at,
  };
}

function prepareStatements(db: Database.Database) {
  return {
    head: db.prepare('SELECT max(position) FROM events').pluck(),
    streamHead: db.prepare(
      `SELECT revision, position, json_extract(metadata, '$.chain.hash') AS hash FROM events
       WHERE stream_id = ? ORDER BY revision DESC LIMIT 1`,
    ),
    holder: db.prepare('SELECT stream_id AS streamId, revision, data FROM events WHERE id = ?'),
    insert: db.prepare(
      'INSERT INTO events (id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    // Only an id conflict is absorbed; a (stream, revision) conflict still raises.
    insertUnlessHeld: db.prepare(
      'INSERT INTO events (id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (id) DO NOTHING',
    ),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    pruneTarget: db.prepare(
      `SELECT stream_id AS streamId, revision,
              (SELECT max(revision) FROM events h WHERE h.stream_id = e.stream_id) AS head
       FROM events e WHERE id = ?`,
    ),
    deleteById: db.prepare('DELETE FROM events WHERE id = ?'),
    // A range on the (stream_id, revision) index: reads the index entries of those streams only.
    streamsInRange: db
      .prepare('SELECT DISTINCT stream_id FROM events WHERE stream_id >= ? AND stream_id < ?')
      .pluck(),
    forwards: db.prepare(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
    ),
    backwards: db.prepare(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
    ),
  };
}

/**
 * The events table of the embedded store and its prepared statements. Positions are rowids: each insert gets
 * the previous maximum plus one. Rows are deleted only by `deleteUnlessHead` (retention), never a stream's
 * newest row, so the maximum row stays and a position is never given out twice. Transactions are the
 * caller's business.
 */
export class SqliteEventLog {
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly filtered = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.statements = prepareStatements(db);
  }

  head(): number | null {
    return this.statements.head.get() as number | null;
  }

  /** The stream's last revision, its position and its chain hash (null if written before chaining). */
  streamHead(streamId: string): StreamHead | undefined {
    return this.statements.streamHead.get(streamId) as StreamHead | undefined;
  }

  holderOf(eventId: string): { streamId: string; revision: number; data: string } | undefined {
    return this.statements.holder.get(eventId) as
      { streamId: string; revision: number; data: string } | undefined;
  }

  /** Inserts one event and returns its position. */
  insert(
    streamId: string,
    revision: number,
    event: { id: string; type: string; data: string; metadata: string },
    recordedAt: string,
  ): number {
    const { id, type, data, metadata } = event;
    return Number(
      this.statements.insert.run(id, streamId, revision, type, data, metadata, recordedAt).lastInsertRowid,
    );
  }

  /**
   * Inserts one event unless its id is already stored (the unique index decides, no lookup first); returns its
   * position, or undefined when the id was already held (by this or another stream: see `holderOf`).
   */
  insertUnlessHeld(
    streamId: string,
    revision: number,
    event: { id: string; type: string; data: string; metadata: string },
    recordedAt: string,
  ): number | undefined {
    const { id, type, data, metadata } = event;
    const result = this.statements.insertUnlessHeld.run(
      id,
      streamId,
      revision,
      type,
      data,
      metadata,
      recordedAt,
    );
    return result.changes === 0 ? undefined : Number(result.lastInsertRowid);
  }

  /**
   * Deletes one event unless it is the newest of its stream: 'deleted', 'absent' (not stored, e.g. deleted
   * before), or 'head' (nothing deleted).
   */
  deleteUnlessHead(eventId: string): 'deleted' | 'absent' | { head: { streamId: string; revision: number } } {
    const row = this.statements.pruneTarget.get(eventId) as
      { streamId: string; revision: number; head: number } | undefined;
    if (!row) return 'absent';
    if (row.revision >= row.head) return { head: { streamId: row.streamId, revision: row.revision } };
    this.statements.deleteById.run(eventId);
    return 'deleted';
  }

  /** Ids of the streams whose id starts with `prefix` (not empty), sorted. */
  streamIdsStartingWith(prefix: string): string[] {
    const last = prefix.charCodeAt(prefix.length - 1);
    const bound = prefix.slice(0, -1) + String.fromCharCode(last + 1);
    return this.statements.streamsInRange.all(prefix, bound) as string[];
  }

  /** Changes whenever another connection commits to the file (SQLite's `PRAGMA data_version`). */
  dataVersion(): number {
    return this.statements.dataVersion.get() as number;
  }

  /** `limit` -1 reads without limit; a backwards read without `fromRevision` starts at the end. */
  readStream(
    streamId: string,
    backwards: boolean,
    fromRevision: number | undefined,
    limit: number,
  ): StoredEvent[] {
    const rows = backwards
      ? this.statements.backwards.all(streamId, fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
      : this.statements.forwards.all(streamId, fromRevision ?? 0, limit);
    return (rows as EventRow[]).map(toStored);
  }

  readAfter(after: number, limit: number, filter: NormalizedFilter): StoredEvent[] {
    const types = filter.eventTypePrefixes ?? [];
    const streams = filter.streamPrefixes ?? [];
    const key = `${types.length}:${streams.length}`;
    let statement = this.filtered.get(key);
    if (!statement) {
      // instr(x, p) = 1 is an exact, case-sensitive prefix test (LIKE would treat _ and % as wildcards).
      const anyOf = (column: string, count: number) =>
        count === 0 ? '' : ` AND (${Array(count).fill(`instr(${column}, ?) = 1`).join(' OR ')})`;
      statement = this.db.prepare(
        `SELECT ${COLUMNS} FROM events WHERE position > ?${anyOf('type', types.length)}` +
          `${anyOf('stream_id', streams.length)} ORDER BY position LIMIT ?`,
      );
      this.filtered.set(key, statement);
    }
    return (statement.all(after, ...types, ...streams, limit) as EventRow[]).map(toStored);
  }
}
