import { InternalEventTypes } from '@aidwatch/domain';
import { v5 as uuidv5 } from 'uuid';
import type { NewEvent, StoredEvent } from '@aidwatch/event-store';
import { AUDIT_SOURCE } from '../audit-checkpoint';

/** The stream of retention records: which events left the store for which archive file. */
export const RETENTION_STREAM = 'audit-retention';
export const POSITIONS_ARCHIVED_TYPE = InternalEventTypes.PositionsArchived;
/** Streams one record event lists at most; a file's record is split into parts beyond that. */
export const MAX_STREAMS_PER_RECORD = 2000;

/** Inclusive revisions of one stream, `[from, to]`. */
export type RevisionRange = [number, number];

/**
 * What one record event says (docs/audit.md, "Retention of raw positions"): the events of `streams`
 * (revision ranges, inclusive) are in archive file `file`, whose export-completed digest is `sha256`. A
 * file with more than `MAX_STREAMS_PER_RECORD` streams has several record events (`part` 1…`parts`), each
 * with the same file, digest and totals.
 */
export interface PositionsArchivedData {
  /** The file's name in the archive directory (`positions-<from>-<to>.ndjson.gz`). */
  file: string;
  /** SHA-256 of the file's NDJSON lines as its export-completed line gives it (lower-case hex). */
  sha256: string;
  /** Events in the whole file. */
  events: number;
  /** The events were recorded before this instant (ISO 8601, store time). */
  before: string;
  /** Detection had judged the store up to this position; nothing after it was archived. */
  upToPosition: string;
  /** Store positions of the file's first and last event. */
  fromPosition: string;
  toPosition: string;
  /** `[streamId, [[fromRevision, toRevision], …]]`, sorted by stream id. */
  streams: Array<[string, RevisionRange[]]>;
  part: number;
  parts: number;
}

export type ArchiveSummary = Omit<PositionsArchivedData, 'streams' | 'part' | 'parts'>;

// Record ids follow the file's digest and the part, so appending a record again repeats nothing.
const RECORD_ID_NAMESPACE = '6f1e0c52-8f55-4b7e-9a63-1f1d3c0b7a21';

/** The record events of one archive file, as stored events (CloudEvents, like checkpoints). */
export function positionsArchivedEvents(
  archive: ArchiveSummary,
  streams: ReadonlyMap<string, RevisionRange[]>,
  time: Date,
): NewEvent[] {
  const sorted = [...streams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const parts = Math.max(1, Math.ceil(sorted.length / MAX_STREAMS_PER_RECORD));
  return Array.from({ length: parts }, (_, i) => {
    const id = uuidv5(`${archive.sha256}:${i + 1}`, RECORD_ID_NAMESPACE);
    const data: PositionsArchivedData = {
      ...archive,
      streams: sorted.slice(i * MAX_STREAMS_PER_RECORD, (i + 1) * MAX_STREAMS_PER_RECORD),
      part: i + 1,
      parts,
    };
    return {
      id,
      type: POSITIONS_ARCHIVED_TYPE,
      data: {
        specversion: '1.0',
        id,
        source: AUDIT_SOURCE,
        type: POSITIONS_ARCHIVED_TYPE,
        time: time.toISOString(),
        datacontenttype: 'application/json',
        data,
      },
      metadata: { causation: 'retention' },
    };
  });
}

export function positionsArchivedDataOf(
  event: Pick<StoredEvent, 'type' | 'data'>,
): PositionsArchivedData | undefined {
  if (event.type !== POSITIONS_ARCHIVED_TYPE) return undefined;
  return (event.data as { data?: PositionsArchivedData }).data;
}

/** One archive file as its records (all parts) describe it. */
export interface ArchiveRecord extends ArchiveSummary {
  streams: Map<string, RevisionRange[]>;
  /** Record parts read; a file whose parts are not all there is incomplete. */
  partsRead: number;
  parts: number;
}

/** Gathers the parts of each file's record, in the order the files were recorded. */
export function archiveRecordsOf(records: Iterable<PositionsArchivedData>): ArchiveRecord[] {
  const byFile = new Map<string, ArchiveRecord>();
  for (const r of records) {
    let file = byFile.get(r.file);
    if (!file) {
      const { streams: _streams, part: _part, parts, ...summary } = r;
      file = { ...summary, streams: new Map(), partsRead: 0, parts };
      byFile.set(r.file, file);
    }
    file.partsRead++;
    for (const [streamId, ranges] of r.streams)
      file.streams.set(streamId, [...(file.streams.get(streamId) ?? []), ...ranges]);
  }
  return [...byFile.values()];
}

/**
 * The revisions retention records say were archived, per stream, as sorted ranges (contiguous ones merged).
 * `covers` tells whether every revision of a gap was recorded, which is when verification accepts the gap.
 * Memory: two numbers per range.
 */
export class ArchivedRevisions {
  private readonly ranges = new Map<string, number[]>();
  private readonly unsorted = new Set<string>();

  add(streamId: string, from: number, to: number): void {
    const list = this.ranges.get(streamId);
    if (!list) {
      this.ranges.set(streamId, [from, to]);
      return;
    }
    const lastTo = list[list.length - 1];
    if (from === lastTo + 1) list[list.length - 1] = to;
    else {
      if (from <= lastTo) this.unsorted.add(streamId);
      list.push(from, to);
    }
  }

  addRecord(record: Pick<ArchiveRecord, 'streams'>): void {
    for (const [streamId, ranges] of record.streams)
      for (const [from, to] of ranges) this.add(streamId, from, to);
  }

  /** True when every revision `from`…`to` of the stream was recorded as archived. */
  covers(streamId: string, from: number, to: number): boolean {
    const list = this.sorted(streamId);
    if (!list) return false;
    // The last range starting at or before `from`.
    let lo = 0;
    let hi = list.length / 2 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid * 2] <= from) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && list[found * 2 + 1] >= to;
  }

  get streams(): number {
    return this.ranges.size;
  }

  private sorted(streamId: string): number[] | undefined {
    const list = this.ranges.get(streamId);
    if (!list || !this.unsorted.delete(streamId)) return list;
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < list.length; i += 2) pairs.push([list[i], list[i + 1]]);
    pairs.sort((a, b) => a[0] - b[0]);
    const merged: number[] = [];
    for (const [from, to] of pairs) {
      const last = merged.length - 1;
      if (merged.length > 0 && from <= merged[last] + 1) merged[last] = Math.max(merged[last], to);
      else merged.push(from, to);
    }
    this.ranges.set(streamId, merged);
    return merged;
  }
}
