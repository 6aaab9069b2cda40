import type {
  Filter,
  JSONType,
  KurrentDBClient,
  ReadRevision,
  ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { chainLinkOf, linkEvent } from './chain';
import { planAppend, prepareEvents } from './append-policy';
import {
  START_POSITION,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type StreamWrite,
  type SubscribeOptions,
  type Subscription,
} from './event-store.port';
import {
  compareLogPositions,
  formatLogPosition,
  isSystemEvent,
  parseLogPosition,
  toStored,
} from './kurrentdb-mapping';
import { KurrentDbSubscription } from './kurrentdb-subscription';
import {
  checkCount,
  checkStreamRead,
  matchesFilter,
  normalizeFilter,
  type NormalizedFilter,
} from './read-options';

type Kurrent = typeof import('@kurrent/kurrentdb-client');

export interface KurrentDbEventStoreOptions {
  /** e.g. `kurrentdb://localhost:2113?tls=false` */
  connectionString: string;
  /**
   * How many of a stream's newest events an append checks for ids it already holds (default 100). KurrentDB
   * has no lookup by event id, so a repeat older than this window is written again.
   */
  idempotencyWindow?: number;
  /** Pause before resubscribing after the server dropped a subscription. */
  resubscribeDelayMs?: number;
  /** Consecutive failed (re)subscriptions before the iteration fails with the last error. */
  maxResubscribeAttempts?: number;
}

interface Connection {
  kurrent: Kurrent;
  client: KurrentDBClient;
}

function hasType(error: unknown, type: string): boolean {
  return typeof error === 'object' && error !== null && (error as { type?: unknown }).type === type;
}

/**
 * The port on KurrentDB (formerly EventStoreDB) through the official gRPC client. Positions are
 * `<commit>/<prepare>`; server events (`$` streams and types) never reach readAll or subscriptions.
 * The client is loaded on first use, so processes on the embedded store never load gRPC.
 */
export class KurrentDbEventStore implements EventStore {
  readonly name = 'kurrentdb';
  private readonly connection: Promise<Connection>;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  constructor(private readonly options: KurrentDbEventStoreOptions) {
    this.connection = import('@kurrent/kurrentdb-client').then((kurrent) => ({
      kurrent,
      client: kurrent.KurrentDBClient.connectionString(options.connectionString),
    }));
    this.connection.catch(() => undefined);
  }

  async append(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision = 'any',
    rejectChangedRepeats = false,
  ): Promise<AppendResult> {
    const { kurrent, client } = await this.connect();
    const prepared = prepareEvents(streamId, events);
    const window = (this.options.idempotencyWindow ?? 100) + prepared.length;
    for (let attempt = 1; ; attempt++) {
      const tail = await this.read(
        client.readStream(streamId, { direction: 'backwards', fromRevision: 'end', maxCount: window }),
      );
      const current = tail.length > 0 ? tail[0].revision : -1;
      const held = new Map(tail.map((event) => [event.id, event.revision]));
      const heldData = new Map(tail.map((event) => [event.id, JSON.stringify(event.data)]));
      const fresh = planAppend(
        streamId,
        prepared,
        expected,
        current,
        (id) => held.get(id),
        rejectChangedRepeats ? (id) => heldData.get(id) : undefined,
      );
      if (fresh.length === 0) {
        return { nextExpectedRevision: current, position: tail[0]?.position ?? null, appended: 0 };
      }
      try {
        // The check against `current` also guards the ids read above against a concurrent writer.
        let previous = tail[0] ? (chainLinkOf(tail[0].metadata)?.hash ?? null) : null;
        const result = await client.appendToStream(
          streamId,
          fresh.map((event, index) => {
            const link = linkEvent(previous, streamId, current + 1 + index, event);
            previous = link.hash;
            return {
              id: event.id,
              contentType: 'application/json' as const,
              type: event.type,
              data: JSON.parse(event.data) as JSONType,
              metadata: JSON.parse(link.metadata) as JSONType,
            };
          }),
          { streamState: current === -1 ? kurrent.NO_STREAM : BigInt(current) },
        );
        const revision = Number(result.nextExpectedRevision);
        const [last] = await this.read(
          client.readStream(streamId, { fromRevision: BigInt(revision), maxCount: 1 }),
        );
        return { nextExpectedRevision: revision, position: last?.position ?? null, appended: fresh.length };
      } catch (error) {
        if (!hasType(error, 'wrong-expected-version')) throw error;
        const actualState = (error as { actualState?: bigint | string }).actualState;
        const actual = typeof actualState === 'bigint' ? Number(actualState) : -1;
        // Only 'any' and 'stream_exists' may be re-planned: a caller's exact expectation has been missed.
        if (typeof expected === 'number' || expected === 'no_stream' || attempt >= 5) {
          throw new WrongExpectedRevisionError(streamId, expected, actual);
        }
      }
    }
  }

  /** KurrentDB has no multi-stream transaction here: writes go one after the other, in order. */
  async appendMany(writes: readonly StreamWrite[]): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    for (const w of writes)
      results.push(await this.append(w.streamId, w.events, w.expected, w.rejectChangedRepeats));
    return results;
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    const { client } = await this.connect();
    const { backwards, fromRevision, maxCount } = checkStreamRead(options);
    if (maxCount === 0) return [];
    const start: ReadRevision =
      fromRevision !== undefined ? BigInt(fromRevision) : backwards ? 'end' : 'start';
    return this.read(
      client.readStream(streamId, {
        direction: backwards ? 'backwards' : 'forwards',
        fromRevision: start,
        ...(Number.isFinite(maxCount) ? { maxCount } : {}),
      }),
    );
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    const { kurrent, client } = await this.connect();
    const maxCount = checkCount(options?.maxCount);
    const after =
      options?.after !== undefined && options.after !== START_POSITION
        ? parseLogPosition(options.after)
        : undefined;
    const filter = normalizeFilter(options?.filter);
    const events: StoredEvent[] = [];
    if (maxCount === 0) return events;
    // The server reads from `after` inclusively; its own event is dropped here.
    const read = client.readAll({ fromPosition: after ?? 'start', filter: serverFilter(kurrent, filter) });
    for await (const resolved of read) {
      const event = resolved.event;
      if (!event || (after && compareLogPositions(event.position, after) <= 0)) continue;
      if (!isSystemEvent(event.streamId, event.type) && matchesFilter(filter, event.streamId, event.type)) {
        events.push(toStored(event));
        if (events.length >= maxCount) break;
      }
    }
    return events;
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    if (this.closed) throw new Error('The event store is closed');
    const filter = normalizeFilter(options?.filter);
    const subscription: Subscription = new KurrentDbSubscription(
      async (from) => {
        const { kurrent, client } = await this.connect();
        return client.subscribeToAll({
          fromPosition: from ?? 'start',
          filter: serverFilter(kurrent, filter),
        });
      },
      options?.after !== undefined && options.after !== START_POSITION
        ? parseLogPosition(options.after)
        : undefined,
      (event) =>
        !isSystemEvent(event.streamId, event.type) && matchesFilter(filter, event.streamId, event.type),
      {
        delayMs: this.options.resubscribeDelayMs ?? 1000,
        maxAttempts: this.options.maxResubscribeAttempts ?? 30,
        onClose: () => this.subscriptions.delete(subscription),
      },
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<Position | null> {
    const { kurrent, client } = await this.connect();
    const read = client.readAll({
      direction: 'backwards',
      fromPosition: 'end',
      filter: kurrent.excludeSystemEvents(),
    });
    for await (const resolved of read) {
      const event = resolved.event;
      if (event && !isSystemEvent(event.streamId, event.type)) return formatLogPosition(event.position);
    }
    return null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    const connection = await this.connection.catch(() => undefined);
    await connection?.client.dispose();
  }

  private async connect(): Promise<Connection> {
    if (this.closed) throw new Error('The event store is closed');
    return this.connection;
  }

  private async read(events: AsyncIterable<ResolvedEvent>): Promise<StoredEvent[]> {
    const stored: StoredEvent[] = [];
    try {
      for await (const resolved of events) if (resolved.event) stored.push(toStored(resolved.event));
    } catch (error) {
      if (hasType(error, 'stream-not-found')) return [];
      throw error;
    }
    return stored;
  }
}

/** One dimension is filtered by the server (event types first); the other, and `$` events, here. */
function serverFilter(kurrent: Kurrent, filter: NormalizedFilter): Filter {
  if (filter.eventTypePrefixes) return kurrent.eventTypeFilter({ prefixes: filter.eventTypePrefixes });
  if (filter.streamPrefixes) return kurrent.streamNameFilter({ prefixes: filter.streamPrefixes });
  return kurrent.excludeSystemEvents();
}
