import type {
  AllFilter,
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  StreamWrite,
  SubscribeOptions,
  Subscription,
} from './event-store.port';

/**
 * What the store needs of an upcaster registry (`UpcasterRegistry` of @aidwatch/domain has this shape):
 * how to read a stored event as the current version of its type, and which older types a type filter
 * must also select.
 */
export interface EventUpcasting {
  /** The event as the current version of its type; the same object when it already is one. */
  upcast<E extends { type: string; data: unknown }>(event: E): E;
  /** Stored types read as a type that starts with `prefix` (older versions), without starting with it. */
  olderTypesMatching(prefix: string): string[];
}

/**
 * A store that shows readers something else than the log holds (events in their current versions,
 * personal data opened): `storedForm` is the store under it, as written.
 */
export interface LayeredEventStore extends EventStore {
  readonly storedForm: EventStore;
}

const isLayered = (store: EventStore): store is LayeredEventStore =>
  (store as Partial<LayeredEventStore>).storedForm !== undefined;

/**
 * The log as stored, under every layer that changes what readers see: what hash chains, checkpoints,
 * verification and export must read (their hashes cover the stored bytes, never an upcast or opened view).
 */
export function storedFormOf(store: EventStore): EventStore {
  let inner = store;
  while (isLayered(inner)) inner = inner.storedForm;
  return inner;
}

/**
 * The event store with every read upcast to the current version of its event type (readStream, readAll,
 * subscriptions with their catch-up), whichever adapter is under it; appends pass through unchanged, and
 * nothing stored is ever rewritten. A type-prefix filter selects an event when its stored or its current
 * type matches, so a reader of the current type also gets the events stored in older versions.
 */
export class UpcastingEventStore implements LayeredEventStore {
  readonly name: string;

  constructor(
    readonly storedForm: EventStore,
    private readonly upcasting: EventUpcasting,
  ) {
    this.name = storedForm.name;
  }

  append(streamId: string, events: NewEvent[], expected?: ExpectedRevision): Promise<AppendResult> {
    return this.storedForm.append(streamId, events, expected);
  }

  appendMany(writes: readonly StreamWrite[]): Promise<AppendResult[]> {
    return this.storedForm.appendMany(writes);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return (await this.storedForm.readStream(streamId, options)).map((e) => this.upcasting.upcast(e));
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    const read = options && { ...options, filter: this.widened(options.filter) };
    return (await this.storedForm.readAll(read)).map((e) => this.upcasting.upcast(e));
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    const inner = this.storedForm.subscribeToAll(
      options && { ...options, filter: this.widened(options.filter) },
    );
    const upcasting = this.upcasting;
    const upcast = (event: StoredEvent) => upcasting.upcast(event);
    const innerPages = inner.pages?.bind(inner);
    return {
      close: () => inner.close(),
      settledPosition: () => inner.settledPosition?.(),
      isClosed: () => inner.isClosed?.() ?? false,
      ...(innerPages && {
        async *pages() {
          for await (const page of innerPages()) yield page.map(upcast);
        },
      }),
      async *[Symbol.asyncIterator]() {
        for await (const event of inner) yield upcast(event);
      },
    };
  }

  headPosition(): Promise<Position | null> {
    return this.storedForm.headPosition();
  }

  close(): Promise<void> {
    return this.storedForm.close();
  }

  /** The filter with the older versions of every type it selects. */
  private widened(filter: AllFilter | undefined): AllFilter | undefined {
    const prefixes = filter?.eventTypePrefixes;
    if (!prefixes || prefixes.length === 0) return filter;
    const older = prefixes.flatMap((p) => this.upcasting.olderTypesMatching(p));
    return older.length === 0
      ? filter
      : { ...filter, eventTypePrefixes: [...new Set([...prefixes, ...older])] };
  }
}
