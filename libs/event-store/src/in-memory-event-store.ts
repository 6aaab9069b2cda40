import { linkEvent } from './chain';
import { EventIdConflictError, planAppend, prepareEvents } from './append-policy';
import { CatchUpSubscription, type Page } from './catch-up-subscription';
import type {
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
import {
  checkCount,
  checkStreamRead,
  matchesFilter,
  normalizeFilter,
  parseSequencePosition,
  type NormalizedFilter,
} from './read-options';

export interface InMemoryEventStoreOptions {
  pageSize?: number;
  clock?: () => Date;
}

interface Entry {
  id: string;
  streamId: string;
  revision: number;
  position: number;
  type: string;
  data: string;
  metadata: string;
  hash: string;
  recordedAt: string;
}

function toStored(entry: Entry): StoredEvent {
  return {
    id: entry.id,
    type: entry.type,
    streamId: entry.streamId,
    revision: entry.revision,
    position: String(entry.position),
    data: JSON.parse(entry.data),
    metadata: JSON.parse(entry.metadata),
    recordedAt: entry.recordedAt,
  };
}

/**
 * The embedded store's semantics without a file: for unit tests of code that uses the port. Data is kept
 * as JSON text, so readers get fresh copies exactly as a durable store would give them.
 */
export class InMemoryEventStore implements EventStore {
  readonly name = 'memory';
  private readonly log: Entry[] = [];
  private readonly streams = new Map<string, Entry[]>();
  private readonly byId = new Map<string, Entry>();
  private readonly listeners = new Set<() => void>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly clock: () => Date;
  private closed = false;

  constructor(private readonly options: InMemoryEventStoreOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
  }

  async append(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision = 'any',
    rejectChangedRepeats = false,
  ): Promise<AppendResult> {
    this.assertOpen();
    const prepared = prepareEvents(streamId, events);
    const stream = this.streams.get(streamId) ?? [];
    const fresh = planAppend(
      streamId,
      prepared,
      expected,
      stream.length - 1,
      (id) => {
        const holder = this.byId.get(id);
        if (holder && holder.streamId !== streamId)
          throw new EventIdConflictError(id, streamId, holder.streamId);
        return holder?.revision;
      },
      rejectChangedRepeats ? (id) => this.byId.get(id)?.data : undefined,
    );
    if (fresh.length > 0) {
      const recordedAt = this.clock().toISOString();
      for (const event of fresh) {
        const revision = stream.length;
        const link = linkEvent(stream[revision - 1]?.hash ?? null, streamId, revision, event);
        const entry = {
          ...event,
          metadata: link.metadata,
          hash: link.hash,
          streamId,
          revision,
          position: this.log.length + 1,
          recordedAt,
        };
        stream.push(entry);
        this.log.push(entry);
        this.byId.set(entry.id, entry);
      }
      this.streams.set(streamId, stream);
      this.listeners.forEach((listener) => listener());
    }
    const last = stream[stream.length - 1];
    return {
      nextExpectedRevision: stream.length - 1,
      position: last ? String(last.position) : null,
      appended: fresh.length,
    };
  }

  async appendMany(writes: readonly StreamWrite[]): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    for (const w of writes)
      results.push(await this.append(w.streamId, w.events, w.expected, w.rejectChangedRepeats));
    return results;
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const { backwards, fromRevision, maxCount } = checkStreamRead(options);
    const stream = this.streams.get(streamId) ?? [];
    const selected = backwards
      ? stream.slice(0, (fromRevision ?? stream.length) + 1).reverse()
      : stream.slice(fromRevision ?? 0);
    return selected.slice(0, maxCount).map(toStored);
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const maxCount = checkCount(options?.maxCount);
    return this.readPage(parseSequencePosition(options?.after), maxCount, normalizeFilter(options?.filter))
      .events;
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    this.assertOpen();
    const filter = normalizeFilter(options?.filter);
    const subscription: CatchUpSubscription = new CatchUpSubscription(
      {
        readPage: (after, limit) => this.readPage(after, limit, filter),
        onAppend: (listener) => {
          this.listeners.add(listener);
          return () => this.listeners.delete(listener);
        },
      },
      parseSequencePosition(options?.after),
      {
        pageSize: this.options.pageSize ?? 500,
        onClose: () => this.subscriptions.delete(subscription),
        positionOf: (cursor: number) => String(cursor),
      },
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<Position | null> {
    this.assertOpen();
    return this.log.length === 0 ? null : String(this.log.length);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.closed = true;
  }

  private readPage(after: number, limit: number, filter: NormalizedFilter): Page {
    const events: StoredEvent[] = [];
    // Positions are 1-based indexes into the log, so the scan starts right after `after`.
    for (let index = after; index < this.log.length && events.length < limit; index++) {
      const entry = this.log[index];
      if (matchesFilter(filter, entry.streamId, entry.type)) events.push(toStored(entry));
    }
    const full = events.length === limit && limit > 0;
    return {
      events,
      scannedTo: full ? Number(events[events.length - 1].position) : Math.max(after, this.log.length),
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The event store is closed');
  }
}
