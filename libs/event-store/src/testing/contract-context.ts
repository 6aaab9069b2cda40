import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent, StoredEvent, Subscription } from '../event-store.port';

export interface ContractFixture {
  store: EventStore;
  /** Closes `store` and opens the same data again. Required when the adapter is durable. */
  reopen?: () => Promise<EventStore>;
  /** Removes what the fixture created (files, directories); called after its stores are closed. */
  dispose?: () => Promise<void>;
}

export interface ContractOptions {
  /** The adapter keeps its data across close and reopen: the restart case runs and needs `reopen`. */
  durable: boolean;
  /** Every fixture starts from an empty store (false for a shared server: cases needing one are skipped). */
  startsEmpty: boolean;
}

/** What each case works with: a fresh fixture and a namespace no other case uses (streams, event types). */
export class ContractContext {
  private fixture: ContractFixture | undefined;
  private readonly opened: EventStore[] = [];
  private namespace = '';

  constructor(
    private readonly factory: () => Promise<ContractFixture>,
    readonly options: ContractOptions,
  ) {}

  get store(): EventStore {
    if (!this.fixture) throw new Error('No fixture: use the context inside a test');
    return this.opened[this.opened.length - 1];
  }

  /** A prefix unique to the running case, e.g. `t1a2b3c4d`. */
  get ns(): string {
    return this.namespace;
  }

  async setUp(): Promise<void> {
    this.namespace = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    this.fixture = await this.factory();
    this.opened.push(this.fixture.store);
  }

  async tearDown(): Promise<void> {
    for (const store of this.opened.splice(0)) await store.close();
    await this.fixture?.dispose?.();
    this.fixture = undefined;
  }

  async reopen(): Promise<EventStore> {
    if (!this.fixture?.reopen) throw new Error('A durable adapter must give its fixture a reopen()');
    this.opened.push(await this.fixture.reopen());
    return this.store;
  }
}

export function newEvent(type: string, data: unknown = {}, metadata?: Record<string, unknown>): NewEvent {
  return { id: randomUUID(), type, data, ...(metadata ? { metadata } : {}) };
}

export const ids = (events: Array<{ id: string }>): string[] => events.map((event) => event.id);

/** Iterates a subscription in the background and lets a case wait for the nth event. */
export class Collector {
  readonly received: StoredEvent[] = [];
  readonly finished: Promise<void>;
  private failure: unknown;
  private readonly waiters = new Set<() => void>();

  constructor(subscription: Subscription) {
    this.finished = (async () => {
      try {
        for await (const event of subscription) {
          this.received.push(event);
          this.notify();
        }
      } catch (error) {
        this.failure = error ?? new Error('subscription failed');
        this.notify();
        throw error;
      }
    })();
    this.finished.catch(() => undefined);
  }

  /** Waits until `count` events have arrived and returns everything received so far. */
  async until(count: number, timeoutMs = 10_000): Promise<StoredEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (this.failure) throw this.failure;
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`Received ${this.received.length} of ${count} events in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, remaining);
        this.waiters.add(done);
      });
    }
    return [...this.received];
  }

  private notify(): void {
    [...this.waiters].forEach((wake) => wake());
  }
}

export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
