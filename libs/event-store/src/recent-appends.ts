import type { Page } from './catch-up-subscription';
import type { StoredEvent } from './event-store.port';
import { matchesFilter, type NormalizedFilter } from './read-options';

/** One event a commit of this store wrote, as stored: `data` and `metadata` are the stored JSON text. */
export interface RecentRow {
  position: number;
  id: string;
  type: string;
  streamId: string;
  revision: number;
  data: string;
  metadata: string;
  /** ISO 8601. */
  recordedAt: string;
}

export interface RecentAppendsLimits {
  /** Most events kept (10,000). */
  maxEvents: number;
  /** Most characters kept, all events and all their strings together (16 Mi). */
  maxChars: number;
}

/** What a row holds in text: every string of it counts, so `maxChars` bounds its memory. */
const charsOf = (row: RecentRow): number =>
  row.data.length +
  row.metadata.length +
  row.id.length +
  row.type.length +
  row.streamId.length +
  row.recordedAt.length;

export const defaultRecentAppendsLimits: RecentAppendsLimits = {
  maxEvents: 10_000,
  maxChars: 16 * 1024 * 1024,
};

/**
 * The events this store's own commits wrote last, as stored, so that its subscriptions take what was just
 * appended from memory instead of reading it back from the file (the embedded store's `subscribeToAll`; in
 * one process, detection is fed the events the intake appended without a query). A page from here is the
 * page the file would give: the same events with the same positions, their JSON parsed from the same text.
 *
 * It answers for the positions in its span (`from`, `to`] only, and only because every event in that span came
 * by `add`, in position order, without a gap. A row whose position does not follow `to` — another connection
 * committed in between — starts the span afresh at that row; `clear` (a prune) empties it. The oldest rows
 * leave first, past `maxEvents` or `maxChars` (a row larger than `maxChars` is not kept at all). A read
 * starting outside the span (a subscription further behind, or at the end of the span, where other
 * connections' events may follow) is not answered: it goes to the file. Deletions are the store's to watch
 * (`EmbeddedEventStore` clears this when the file's count of deleted events moves).
 */
export class RecentAppends {
  /** Rows kept from `first` on; the slots before it are emptied as their rows leave (compacted now and then). */
  private rows: Array<RecentRow | undefined> = [];
  /** Index of the oldest row kept. */
  private first = 0;
  private chars = 0;
  /** The span is the positions after `from` up to `to` (undefined: empty). */
  private from: number | undefined;
  private to: number | undefined;
  /** Events handed over from memory so far (not read back from the file). */
  served = 0;

  constructor(private readonly limits: RecentAppendsLimits = defaultRecentAppendsLimits) {}

  get size(): number {
    return this.rows.length - this.first;
  }

  /** Keeps a row a commit wrote; rows come in position order. */
  add(row: RecentRow): void {
    if (this.to === undefined || row.position !== this.to + 1) {
      this.clear();
      this.from = row.position - 1;
    }
    this.rows.push(row);
    this.to = row.position;
    this.chars += charsOf(row);
    // A row larger than the whole budget leaves at once: the span is then empty.
    while (this.size > 0 && (this.size > this.limits.maxEvents || this.chars > this.limits.maxChars)) {
      const oldest = this.rows[this.first] as RecentRow;
      this.rows[this.first++] = undefined;
      this.chars -= charsOf(oldest);
      this.from = oldest.position;
    }
    if (this.first > 1024 && this.first * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.first);
      this.first = 0;
    }
  }

  /** Forgets every row: nothing is answered until the next `add`. */
  clear(): void {
    this.rows = [];
    this.first = 0;
    this.chars = 0;
    this.from = undefined;
    this.to = undefined;
  }

  /** Whether a read after `after` would be answered (`page`). */
  covers(after: number): boolean {
    return this.from !== undefined && this.to !== undefined && after >= this.from && after < this.to;
  }

  /**
   * The events matching `filter` after position `after`, at most `limit` (≥ 1), and how far they were scanned
   * (`Page`); undefined unless `after` lies in the span before its end.
   */
  page(after: number, limit: number, filter: NormalizedFilter): Page | undefined {
    const { from, to } = this;
    if (from === undefined || to === undefined || !this.covers(after) || !(limit >= 1)) return undefined;
    const events: StoredEvent[] = [];
    // Positions are contiguous: the row after `after` sits `after - from` rows past the oldest.
    for (let i = this.first + (after - from); i < this.rows.length; i++) {
      const row = this.rows[i] as RecentRow;
      if (!matchesFilter(filter, row.streamId, row.type)) continue;
      events.push({
        id: row.id,
        type: row.type,
        streamId: row.streamId,
        revision: row.revision,
        position: String(row.position),
        data: JSON.parse(row.data),
        metadata: JSON.parse(row.metadata),
        recordedAt: row.recordedAt,
      });
      if (events.length === limit) {
        this.served += events.length;
        return { events, scannedTo: row.position };
      }
    }
    this.served += events.length;
    return { events, scannedTo: to };
  }
}
