import {
  EventTypes,
  riskLevelOf,
  type Flag,
  type FlagCleared,
  type FlagRaised,
  type RiskLevel,
} from '@aidwatch/domain';
import type { StoredEvent } from '@aidwatch/event-store';

export interface FlagRecord {
  /** Store position of the raise: the cursor of `GET /flags?after=`. */
  cursor: string;
  status: 'open' | 'cleared';
  clearedAt?: string;
  clearReason?: string;
  flag: Flag;
}

export interface FlagQuery {
  rule?: string;
  severity?: string;
  consignmentId?: string;
  mmsi?: string;
  status?: 'open' | 'cleared';
  after?: string;
  limit: number;
  /** Keeps only flags the caller may see (tenancy); applied before `limit`. */
  visible?: (flag: Flag) => boolean;
  /**
   * Walks only these records (indices in raise order, ascending; a list that may grow while walked), e.g. a
   * tenant's (`ReadModelProjection.flagIndicesOf`): the same flags as walking all of them when it holds every
   * record `visible` accepts.
   */
  within?: readonly number[];
}

interface FlagsSnapshot {
  records: FlagRecord[];
}

/** Every flag in the order raised, with its status, indexed for the queries of the API. */
export class FlagsReadModel {
  private records: FlagRecord[] = [];
  private readonly byFlagId = new Map<string, FlagRecord>();
  private readonly indexByCursor = new Map<string, number>();
  private readonly openByConsignment = new Map<string, Map<string, Flag>>();
  /** Consignments some record names (open or cleared). */
  private readonly named = new Set<string>();

  /** Folds a raise or a clear; returns the index (in raise order) of the record it changed, if any. */
  apply(stored: StoredEvent): number | undefined {
    if (stored.type === EventTypes.FlagRaised)
      return this.raise(stored.position, (stored.data as FlagRaised).data);
    if (stored.type === EventTypes.FlagCleared) return this.clear((stored.data as FlagCleared).data);
    return undefined;
  }

  /** How many flags were raised (records, in raise order: indices 0 to size - 1). */
  get size(): number {
    return this.records.length;
  }

  /** The record at `index` in raise order (see `apply`), as a checkpoint keeps it. */
  record(index: number): FlagRecord | undefined {
    return this.records[index];
  }

  query(q: FlagQuery): { items: FlagRecord[]; next: string | null } {
    const items: FlagRecord[] = [];
    if (q.limit > 0) for (const r of this.scan(q)) if (items.push(r) >= q.limit) break;
    return { items, next: FlagsReadModel.nextOf(items, q.limit) };
  }

  /**
   * The flags matching `q` (its `limit` aside) from `q.after` on, in the order raised, one at a time: for a
   * caller that reads a long page in slices (the records are read as they are when the generator resumes;
   * flags raised meanwhile are appended after, so none is skipped or seen twice). Throws
   * `UnknownCursorError` at once — before the first record — when `q.after` is not a cursor of this model.
   */
  scan(q: Omit<FlagQuery, 'limit'>): Generator<FlagRecord, void, undefined> {
    let start = 0;
    if (q.after !== undefined) {
      const index = this.indexByCursor.get(q.after);
      if (index === undefined) throw new UnknownCursorError(q.after);
      start = index + 1;
    }
    return this.matching(q, start);
  }

  /** The cursor of the page after `items` when it is full (`limit` items), else null. */
  static nextOf(items: readonly FlagRecord[], limit: number): string | null {
    const last = items.at(-1);
    return items.length === limit && last ? last.cursor : null;
  }

  private *matching(q: Omit<FlagQuery, 'limit'>, start: number): Generator<FlagRecord, void, undefined> {
    // `records` only grows while the model is live; a reset (a rebuild) replaces it, so the generator keeps
    // reading the array it started on.
    const records = this.records;
    const within = q.within;
    let at = within ? lowerBound(within, start) : start;
    for (; within ? at < within.length : at < records.length; at++) {
      const r = records[within ? within[at] : at];
      if (!r) continue;
      if (q.rule && r.flag.rule !== q.rule) continue;
      if (q.severity && r.flag.severity !== q.severity) continue;
      if (q.status && r.status !== q.status) continue;
      if (q.consignmentId && !r.flag.consignmentIds.includes(q.consignmentId)) continue;
      if (q.mmsi && !(r.flag.subject.kind === 'vessel' && r.flag.subject.id === q.mmsi)) continue;
      if (q.visible && !q.visible(r.flag)) continue;
      yield r;
    }
  }

  /** Whether some flag (open or cleared) names `consignmentId`. */
  names(consignmentId: string): boolean {
    return this.named.has(consignmentId);
  }

  openFlagsOf(consignmentId: string): Flag[] {
    return [...(this.openByConsignment.get(consignmentId)?.values() ?? [])];
  }

  riskOf(consignmentId: string): RiskLevel {
    return riskLevelOf(this.openFlagsOf(consignmentId));
  }

  snapshot(): FlagsSnapshot {
    return { records: this.records };
  }

  restore(snapshot: unknown): void {
    this.reset();
    for (const r of (snapshot as FlagsSnapshot).records) {
      this.raise(r.cursor, r.flag);
      if (r.status === 'cleared')
        this.clear({
          flagId: r.flag.flagId,
          clearedAt: r.clearedAt ?? '',
          reason: r.clearReason ?? '',
          reopened: r.flag.reopened,
        });
    }
  }

  reset(): void {
    this.records = [];
    this.byFlagId.clear();
    this.indexByCursor.clear();
    this.openByConsignment.clear();
    this.named.clear();
  }

  /**
   * A flag id raised again after its clear (`reopened` above the record's) is a record of its own, at its own
   * cursor: `GET /flags?after=` readers see it come back; the earlier record stays, cleared.
   */
  private raise(cursor: string, flag: Flag): number | undefined {
    const known = this.byFlagId.get(flag.flagId);
    if (known && !(known.status === 'cleared' && (flag.reopened ?? 0) > (known.flag.reopened ?? 0)))
      return undefined;
    const record: FlagRecord = { cursor, status: 'open', flag };
    const index = this.records.length;
    this.indexByCursor.set(cursor, index);
    this.records.push(record);
    this.byFlagId.set(flag.flagId, record);
    for (const id of flag.consignmentIds) {
      this.named.add(id);
      const open = this.openByConsignment.get(id) ?? new Map<string, Flag>();
      open.set(flag.flagId, flag);
      this.openByConsignment.set(id, open);
    }
    return index;
  }

  private clear(cleared: {
    flagId: string;
    clearedAt: string;
    reason: string;
    reopened?: number;
  }): number | undefined {
    const record = this.byFlagId.get(cleared.flagId);
    if (!record || record.status === 'cleared') return undefined;
    // A clear of an earlier raise of the id (a repeat) leaves its reopening open.
    if ((cleared.reopened ?? 0) !== (record.flag.reopened ?? 0)) return undefined;
    record.status = 'cleared';
    record.clearedAt = cleared.clearedAt;
    record.clearReason = cleared.reason;
    for (const id of record.flag.consignmentIds) {
      const open = this.openByConsignment.get(id);
      open?.delete(cleared.flagId);
      if (open?.size === 0) this.openByConsignment.delete(id);
    }
    return this.indexByCursor.get(record.cursor);
  }
}

/** The first position of ascending `list` holding a value ≥ `value`. */
function lowerBound(list: readonly number[], value: number): number {
  let [lo, hi] = [0, list.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class UnknownCursorError extends Error {
  constructor(readonly cursor: string) {
    super(`Unknown cursor "${cursor}": pass the "next" value of a previous page`);
  }
}
