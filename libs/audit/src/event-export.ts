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
import { comparePositions, readAllInPages, readStreamInPages } from './store-reading';

/** What to export: one stream, a consignment with everything that touched it, or a range of recording time. */
export type ExportScope =
  | { kind: 'stream'; streamId: string }
  | { kind: 'consignment'; consignmentId: string }
  | { kind: 'range'; from?: string; to?: string };

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
    data: { scope, partialStreams, procedure: 'docs/audit.md#verifying-an-export-offline' },
  });
  if (options.checkpoint) yield emit(exportedEventOf(options.checkpoint));
  let count = 0;
  for await (const event of events) {
    if (!inScope(event)) continue;
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

async function eventsOf(
  store: EventStore,
  scope: ExportScope,
): Promise<{ events: AsyncIterable<StoredEvent> | Iterable<StoredEvent>; partialStreams: string[] | '*' }> {
  switch (scope.kind) {
    case 'stream':
      return { events: readStreamInPages(store, scope.streamId), partialStreams: [] };
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
