import type { AllFilter, EventStore, Position, StoredEvent } from '@aidwatch/event-store';

/**
 * Orders two positions of one store. Positions are opaque to callers, but every adapter writes them as
 * numbers (`17`) or numbers joined by `/` (KurrentDB `<commit>/<prepare>`), compared component by component.
 */
export function comparePositions(a: Position, b: Position): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = BigInt(left[i] ?? 0);
    const y = BigInt(right[i] ?? 0);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

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
  }
}
