import { createHash, type Hash } from 'node:crypto';
import { storedFormOf, type EventStore, type StoredEvent } from '@aidwatch/event-store';
import { checkpointDataOf } from './audit-checkpoint';
import { consignmentTrail } from './consignment-trail';
import {
  csvHeader,
  csvRowOf,
  EXPORT_COMPLETED_TYPE,
  EXPORT_STARTED_TYPE,
  exportedEventOf,
  STORE_SOURCE,
} from './export-format';
import { RETENTION_STREAM } from './retention/retention-record';
import { comparePositions, readAllInPages, readStreamInPages } from './store-reading';

/** What to export: one stream, a consignment with everything that touched it, or a range of recording time. */
export type ExportScope =
  | { kind: 'stream'; streamId: string }
  | { kind: 'consignment'; consignmentId: string }
  | { kind: 'range'; from?: string; to?: string };

/**
 * An archive file of storage retention: raw positions recorded before `before` (ISO 8601, store time), at
 * store positions up to `upToPosition` (what detection had judged), moved out of the store.
 */
export interface ArchiveScope {
  kind: 'archive';
  before: string;
  upToPosition: string;
}

/** The scope an NDJSON file's start line names. */
export type ExportedScope = ExportScope | ArchiveScope;

export type ExportFormat = 'ndjson' | 'csv';

export interface ExportOptions {
  format: ExportFormat;
  /** The checkpoint the export is anchored to: events after its position are left out. */
  checkpoint?: StoredEvent;
  now: () => Date;
  newId: () => string;
}

/**
 * The export, line by line (each ends in a newline), reading the store a page at a time: memory does not
 * grow with the number of events (a consignment's trail is read whole). NDJSON: a start line, the
 * checkpoint, the events, a completion line whose `sha256` covers every byte before it (docs/audit.md).
 * Exports the log as stored (`storedFormOf`): each event in the version it was written in, so its hash
 * verifies; a reader's upcast or opened view would not.
 */
export async function* exportLines(
  readable: EventStore,
  scope: ExportScope,
  options: ExportOptions,
): AsyncGenerator<string> {
  const store = storedFormOf(readable);
  const covers = options.checkpoint && checkpointDataOf(options.checkpoint)?.coversPosition;
  const inScope = (e: StoredEvent) => covers === undefined || comparePositions(e.position, covers) <= 0;
  const { events, partialStreams } = await eventsOf(store, scope);
  if (options.format === 'csv') {
    yield csvHeader();
    if (options.checkpoint) yield csvRowOf(options.checkpoint);
    for await (const event of events) if (inScope(event)) yield csvRowOf(event);
    return;
  }
  yield* ndjsonExportLines(filtered(events, inScope), { ...options, scope, partialStreams });
}

export interface NdjsonExportOptions {
  scope: ExportedScope;
  /** Streams of which only some events are in the file (`"*"`: any); the others must be whole. */
  partialStreams: string[] | '*';
  /** Written as line 2, before the events; none for an archive (its record in the store anchors it). */
  checkpoint?: StoredEvent;
  now: () => Date;
  newId: () => string;
}

/**
 * The NDJSON export format over any events, in the order given (store order): the start line, the
 * checkpoint if any, one line per event, and the completion line whose `sha256` covers every byte before it
 * (docs/audit.md). Used by `exportLines` and by the retention archive writer. Memory: one line.
 */
export async function* ndjsonExportLines(
  events: AsyncIterable<StoredEvent> | Iterable<StoredEvent>,
  options: NdjsonExportOptions,
): AsyncGenerator<string> {
  const digest = createHash('sha256');
  const emit = (value: unknown, hash: Hash = digest) => {
    const line = JSON.stringify(value) + '\n';
    hash.update(line, 'utf8');
    return line;
  };
  yield emit({
    specversion: '1.0',
    id: options.newId(),
    source: STORE_SOURCE,
    type: EXPORT_STARTED_TYPE,
    time: options.now().toISOString(),
    datacontenttype: 'application/json',
    data: {
      scope: options.scope,
      partialStreams: options.partialStreams,
      procedure: 'docs/audit.md#verifying-an-export-offline',
    },
  });
  if (options.checkpoint) yield emit(exportedEventOf(options.checkpoint));
  let count = 0;
  for await (const event of events) {
    count++;
    yield emit(exportedEventOf(event));
  }
  const completed = {
    specversion: '1.0',
    id: options.newId(),
    source: STORE_SOURCE,
    type: EXPORT_COMPLETED_TYPE,
    time: options.now().toISOString(),
    datacontenttype: 'application/json',
    data: { events: count } as { events: number; sha256?: string },
  };
  digest.update(JSON.stringify(completed), 'utf8');
  completed.data.sha256 = digest.digest('hex');
  yield JSON.stringify(completed) + '\n';
}

async function* filtered(
  events: AsyncIterable<StoredEvent> | Iterable<StoredEvent>,
  keep: (event: StoredEvent) => boolean,
): AsyncGenerator<StoredEvent> {
  for await (const event of events) if (keep(event)) yield event;
}

async function eventsOf(
  store: EventStore,
  scope: ExportScope,
): Promise<{ events: AsyncIterable<StoredEvent> | Iterable<StoredEvent>; partialStreams: string[] | '*' }> {
  switch (scope.kind) {
    case 'stream': {
      // Retention may have archived some of its revisions: then it is only partly here, and says so.
      const partial = (await retentionHasRun(store)) && (await hasGaps(store, scope.streamId));
      return {
        events: readStreamInPages(store, scope.streamId),
        partialStreams: partial ? [scope.streamId] : [],
      };
    }
    case 'consignment': {
      const trail = await consignmentTrail(store, scope.consignmentId);
      return { events: trail.events, partialStreams: trail.partialStreams };
    }
    case 'range':
      return { events: inRange(store, scope.from, scope.to), partialStreams: '*' };
  }
}

async function* inRange(store: EventStore, from?: string, to?: string): AsyncGenerator<StoredEvent> {
  const start = from ? Date.parse(from) : -Infinity;
  const end = to ? Date.parse(to) : Infinity;
  for await (const event of readAllInPages(store)) {
    const at = Date.parse(event.recordedAt);
    if (at >= start && at < end) yield event;
  }
}

const retentionHasRun = async (store: EventStore) =>
  (await store.readStream(RETENTION_STREAM, { direction: 'backwards', maxCount: 1 })).length > 0;

async function hasGaps(store: EventStore, streamId: string): Promise<boolean> {
  let expected = 0;
  for await (const event of readStreamInPages(store, streamId))
    if (event.revision !== expected++) return true;
  return false;
}
