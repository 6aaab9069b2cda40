import { setImmediate as nextTurn } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { RawPositionEventTypes } from '@aidwatch/domain';
import {
  isPrunable,
  storedFormOf,
  type EventStore,
  type Position,
  type PrunableEventStore,
  type StoredEvent,
} from '@aidwatch/event-store';
import { ndjsonExportLines, type ArchiveScope } from '../event-export';
import { exportFileLines, verifyExportFile } from '../export-file';
import { EXPORT_COMPLETED_TYPE } from '../export-format';
import { ArchiveDirectory, archiveFileName } from './archive-directory';
import { CitedEvidence, keepReason, type RetentionRules } from './position-selection';
import {
  archiveRecordsOf,
  positionsArchivedDataOf,
  positionsArchivedEvents,
  RETENTION_STREAM,
  type ArchiveRecord,
  type RevisionRange,
} from './retention-record';

/** Raw positions one archive file takes at most (about 1 KB each before compression). */
export const DEFAULT_MAX_EVENTS_PER_FILE = 250_000;
const DAY_MS = 86_400_000;

/** The store cannot delete events (KurrentDB, in-memory): retention refuses to run. */
export class RetentionUnsupportedError extends Error {
  constructor(storeName: string) {
    super(
      `Retention of raw positions needs the embedded or the PostgreSQL store (EVENT_STORE=embedded or ` +
        `postgres): the ${storeName} store cannot delete archived events, so nothing was archived`,
    );
    this.name = 'RetentionUnsupportedError';
  }
}

/**
 * A record's archive file is missing or differs from its record while the rows it names are still in the
 * store: nothing is deleted until an operator restores the file (a finding, not a crash).
 */
export class RetentionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetentionError';
  }
}

export interface RetentionOptions {
  archiveDir: string;
  /** Raw positions the store recorded more than this many days ago (may be fractional; ≥ 0). */
  olderThanDays: number;
  /**
   * Detection's checkpoint position (CheckpointStore, DETECTION_PROJECTION): nothing after it is archived,
   * and nothing at all without one.
   */
  judgedUpTo: Position | undefined;
  /** Select and count only: no file, record or deletion (a pending record is reported, not completed). */
  dryRun?: boolean;
  now?: () => Date;
  maxEventsPerFile?: number;
  /** Events read per page of the store. */
  pageSize?: number;
  /** Evidence already collected (a long-running service keeps it between runs); catches up each run. */
  cited?: CitedEvidence;
  /** Stops the run at the next page: the file under way is finished (smaller), recorded and pruned. */
  signal?: AbortSignal;
}

export interface ArchivedFile {
  file: string;
  events: number;
  sha256: string;
  fromPosition: string;
  toPosition: string;
  /** Streams the record lists, and in how many record events. */
  streams: number;
  parts: number;
  /** NDJSON bytes before compression, and the gzip file's size. */
  rawBytes: number;
  bytes: number;
}

export interface RetentionReport {
  dryRun: boolean;
  /** Cutoff: raw positions recorded before it (ISO 8601, store time) were looked at. */
  before: string;
  /** Detection's checkpoint position; null: detection has judged nothing, so nothing was archived. */
  upToPosition: string | null;
  /** Raw positions moved out of the store by this run (dry run: that would be). */
  archived: number;
  files: ArchivedFile[];
  /** An earlier run's record whose rows were still in the store: this run deleted them. */
  completed: Array<{ file: string; deleted: number }>;
  /** Dry run: the file of a record whose rows are still in the store (a real run completes it first). */
  pending?: string;
  /** Raw positions old enough and judged that stay: cited by a flag, or their stream's newest. */
  kept: { cited: number; newest: number };
}

/**
 * The store under the layers a service or the CLI adds (personal data, upcasting), if it can delete archived
 * events (the embedded and the PostgreSQL stores).
 */
export function prunableStoreOf(store: EventStore): PrunableEventStore | undefined {
  const stored = storedFormOf(store);
  return isPrunable(stored) ? stored : undefined;
}

/**
 * Storage retention of raw AIS positions (docs/audit.md, "Retention of raw positions"). Moves every raw
 * position that `keepReason` lets go into gzip NDJSON archive files (the `aidwatch export` format, scope
 * `archive`), in files of at most `maxEventsPerFile` events. For each file, in this order: the file is
 * written under a temporary name, fsynced and renamed; a record (`aidwatch.audit.positions-archived.v1`
 * on `audit-retention`, split into parts of 2,000 streams, one atomic append) names its events by stream
 * and revision ranges, with the file's digest; only then are the rows deleted (`PrunableEventStore.prune`).
 * A crash leaves at worst a file without a record (ignored, and overwritten or left), or a record whose rows
 * are still there: the next run checks the file against the record and deletes them first.
 *
 * Throws RetentionUnsupportedError on a store that cannot delete, RetentionBusyError while another run holds
 * the archive directory, RetentionError when a pending record's file is missing or differs.
 */
export async function archiveRawPositions(
  store: EventStore,
  options: RetentionOptions,
): Promise<RetentionReport> {
  const embedded = prunableStoreOf(store);
  if (!embedded) throw new RetentionUnsupportedError(store.name);
  if (!(options.olderThanDays >= 0)) throw new RangeError('olderThanDays must be a number ≥ 0');
  const now = options.now ?? (() => new Date());
  const beforeMs = now().getTime() - options.olderThanDays * DAY_MS;
  const report: RetentionReport = {
    dryRun: options.dryRun === true,
    before: new Date(beforeMs).toISOString(),
    upToPosition: options.judgedUpTo ?? null,
    archived: 0,
    files: [],
    completed: [],
    kept: { cited: 0, newest: 0 },
  };
  const directory = new ArchiveDirectory(options.archiveDir);
  if (!report.dryRun) directory.lock();
  try {
    const pending = await pendingRecord(embedded);
    if (pending && report.dryRun) report.pending = pending.file;
    else if (pending) report.completed.push(await completeRecord(embedded, directory, pending));
    if (options.judgedUpTo === undefined) return report;
    const cited = options.cited ?? new CitedEvidence();
    await cited.catchUp(embedded);
    const rules: RetentionRules = {
      positionTypes: RawPositionEventTypes,
      beforeMs,
      judgedUpTo: options.judgedUpTo,
      cited,
    };
    const run = new RetentionRun(
      embedded,
      rules,
      report,
      options.pageSize ?? 1000,
      directory,
      options.signal,
    );
    if (report.dryRun) await run.count();
    else
      await run.archive(
        cited,
        { kind: 'archive', before: report.before, upToPosition: options.judgedUpTo },
        options.maxEventsPerFile ?? DEFAULT_MAX_EVENTS_PER_FILE,
        now,
      );
    return report;
  } finally {
    directory.unlock();
  }
}

/** The raw positions one archive file takes, as the scan selects them. */
class Selection {
  readonly ids: string[] = [];
  readonly cloudEventIds: string[] = [];
  readonly streams = new Map<string, RevisionRange[]>();
  fromPosition: string | undefined;
  toPosition: string | undefined;

  get count(): number {
    return this.ids.length;
  }

  add(event: StoredEvent, cloudEventId: string): void {
    this.ids.push(event.id);
    this.cloudEventIds.push(cloudEventId);
    this.fromPosition ??= event.position;
    this.toPosition = event.position;
    let ranges = this.streams.get(event.streamId);
    if (!ranges) this.streams.set(event.streamId, (ranges = []));
    const last = ranges[ranges.length - 1];
    if (last && event.revision === last[1] + 1) last[1] = event.revision;
    else ranges.push([event.revision, event.revision]);
  }
}

class RetentionRun {
  /** Where the next page starts (exclusive), and whether the scan reached the cutoff or detection's checkpoint. */
  private after = '0';
  private done = false;
  /** Each stream's newest revision as last read (heads only move forward). */
  private readonly heads = new Map<string, number>();

  constructor(
    private readonly store: PrunableEventStore,
    private readonly rules: RetentionRules,
    private readonly report: RetentionReport,
    private readonly pageSize: number,
    private readonly directory: ArchiveDirectory,
    private readonly signal?: AbortSignal,
  ) {}

  async count(): Promise<void> {
    for await (const _ of this.scan(Number.POSITIVE_INFINITY)) this.report.archived++;
  }

  async archive(
    cited: CitedEvidence,
    scope: ArchiveScope,
    maxEvents: number,
    now: () => Date,
  ): Promise<void> {
    const directory = this.directory;
    let retries = 0;
    while (!this.done) {
      const start = { after: this.after, kept: { ...this.report.kept } };
      const selection = new Selection();
      const written = await directory.writeTemporary(
        ndjsonExportLines(this.scan(maxEvents, selection), {
          scope,
          partialStreams: '*',
          now,
          newId: randomUUID,
        }),
      );
      if (selection.count === 0) {
        directory.discard(written.temp);
        return;
      }
      // A flag written meanwhile may cite a selected position: then select again without it.
      if ((await cited.catchUp(this.store)) > 0 && selection.cloudEventIds.some((id) => cited.has(id))) {
        directory.discard(written.temp);
        if (++retries > 3) return;
        this.after = start.after;
        this.done = false;
        this.report.kept = start.kept;
        continue;
      }
      const completed = JSON.parse(written.lastLine) as {
        type: string;
        data: { sha256: string; events: number };
      };
      if (completed.type !== EXPORT_COMPLETED_TYPE || completed.data.events !== selection.count)
        throw new Error(`The archive of ${selection.count} events was not completed as written`);
      const name = archiveFileName(selection.fromPosition as string, selection.toPosition as string);
      await directory.publish(written.temp, name);
      const summary = {
        file: name,
        sha256: completed.data.sha256,
        events: selection.count,
        before: scope.before,
        upToPosition: scope.upToPosition,
        fromPosition: selection.fromPosition as string,
        toPosition: selection.toPosition as string,
      };
      const records = positionsArchivedEvents(summary, selection.streams, now());
      await this.store.append(RETENTION_STREAM, records);
      directory.refreshLock();
      const deleted = await this.store.prune(selection.ids);
      this.report.archived += deleted;
      this.report.files.push({
        ...summary,
        streams: selection.streams.size,
        parts: records.length,
        rawBytes: written.rawBytes,
        bytes: written.bytes,
      });
    }
  }

  /**
   * Raw positions that may go, in store order, from where the last call stopped: at most `limit`, until the
   * first one detection has not judged or recorded at or after the cutoff (the store records in position
   * order). Reads a page of raw positions at a time (the store filters by type) and lets the event loop run
   * between pages.
   */
  private async *scan(limit: number, selection?: Selection): AsyncGenerator<StoredEvent> {
    let taken = 0;
    while (!this.done && taken < limit) {
      if (this.signal?.aborted) {
        this.done = true;
        return;
      }
      const page = await this.store.readAll({
        after: this.after,
        maxCount: this.pageSize,
        filter: { eventTypePrefixes: [...this.rules.positionTypes] },
      });
      for (const event of page) {
        // The stream's head is read only for events every other rule lets go (-1: as if it were the head).
        let reason = keepReason(event, -1, this.rules);
        if (reason === 'newest') reason = keepReason(event, await this.headOf(event), this.rules);
        if (reason === 'not judged' || reason === 'too recent') {
          this.done = true;
          return;
        }
        this.after = event.position;
        if (reason === 'cited' || reason === 'newest') this.report.kept[reason]++;
        if (reason !== undefined) continue;
        selection?.add(event, (event.data as { id: string }).id);
        yield event;
        if (++taken >= limit) return;
      }
      if (page.length < this.pageSize) this.done = true;
      this.directory.refreshLock();
      await nextTurn();
    }
  }

  private async headOf(event: StoredEvent): Promise<number> {
    const known = this.heads.get(event.streamId);
    if (known !== undefined && known > event.revision) return known;
    const [head] = await this.store.readStream(event.streamId, { direction: 'backwards', maxCount: 1 });
    const revision = head?.revision ?? event.revision;
    this.heads.set(event.streamId, revision);
    return revision;
  }
}

/** The newest archive record, if its rows are still in the store (a run stopped between record and deletion). */
async function pendingRecord(store: PrunableEventStore): Promise<ArchiveRecord | undefined> {
  const [last] = await store.readStream(RETENTION_STREAM, { direction: 'backwards', maxCount: 1 });
  const newest = last && positionsArchivedDataOf(last);
  if (!newest) return undefined;
  // The rows go in store order, so the file's last position is the last to go.
  const [row] = await store.readAll({ after: positionBefore(newest.toPosition), maxCount: 1 });
  if (row?.position !== newest.toPosition) return undefined;
  const parts = await store.readStream(RETENTION_STREAM, { direction: 'backwards', maxCount: newest.parts });
  const [record] = archiveRecordsOf(
    parts
      .reverse()
      .map(positionsArchivedDataOf)
      .filter((r) => r?.file === newest.file) as NonNullable<ReturnType<typeof positionsArchivedDataOf>>[],
  );
  return record;
}

/** Deletes the rows of a pending record, once its file verifies and matches the record. */
async function completeRecord(
  store: PrunableEventStore,
  directory: ArchiveDirectory,
  record: ArchiveRecord,
): Promise<{ file: string; deleted: number }> {
  const file = directory.path(record.file);
  const keep = `its ${record.events} events stay in the store until it is restored`;
  if (!fs.existsSync(file))
    throw new RetentionError(`Archive ${file} named by its record is missing: ${keep}`);
  const verified = await verifyExportFile(file);
  if (!verified.ok)
    throw new RetentionError(`Archive ${file} does not verify (${verified.firstBroken?.reason}): ${keep}`);
  const ids: string[] = [];
  let sha256: string | undefined;
  let first = true;
  for await (const line of exportFileLines(file)) {
    const value = JSON.parse(line) as { id: string; type: string; data: { sha256?: string } };
    if (value.type === EXPORT_COMPLETED_TYPE) sha256 = value.data.sha256;
    else if (!first) ids.push(value.id);
    first = false;
  }
  if (sha256 !== record.sha256 || ids.length !== record.events)
    throw new RetentionError(`Archive ${file} is not the file its record names (digest or count): ${keep}`);
  return { file: record.file, deleted: await store.prune(ids) };
}

/**
 * A position just before `position` in the store's order, for reading the event at `position` with
 * `readAll({ after })`: its last component less one (`n` on the embedded store, `xid/n` on PostgreSQL, where
 * events of one transaction have increasing sequences).
 */
function positionBefore(position: Position): Position {
  const parts = position.split('/');
  parts[parts.length - 1] = String(BigInt(parts[parts.length - 1]) - 1n);
  return parts.join('/');
}
