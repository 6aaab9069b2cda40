import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  comparePositions,
  type AllFilter,
  type EventStore,
  type Position,
  type StoredEvent,
} from '@aidwatch/event-store';

/** Re-exported for the audit code that orders positions. */
export { comparePositions };

/** Every event after `after` in store order, a page at a time: memory stays at one page. */
export async function* readAllInPages(
  store: EventStore,
  options: { after?: Position; filter?: AllFilter; pageSize?: number; to?: Position } = {},
): AsyncGenerator<StoredEvent> {
  const pageSize = options.pageSize ?? 1000;
  let after = options.after;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize, filter: options.filter });
    for (const event of page) {
      if (options.to !== undefined && comparePositions(event.position, options.to) > 0) return;
      yield event;
    }
    if (page.length < pageSize) return;
    after = page[page.length - 1].position;
    // A turn of the event loop between pages: a store that reads synchronously (SQLite) resolves its pages as
    // microtasks, so a walk over millions of events (a verification, an export) would otherwise hold the thread
    // — HTTP, Kafka intake, detection — until it ends.
    await nextTurn();
  }
}

/** One stream, a page at a time. */
export async function* readStreamInPages(
  store: EventStore,
  streamId: string,
  pageSize = 1000,
): AsyncGenerator<StoredEvent> {
  for (let from = 0; ; from += pageSize) {
    const page = await store.readStream(streamId, { fromRevision: from, maxCount: pageSize });
    yield* page;
    if (page.length < pageSize) return;
    await nextTurn();
  }
}
