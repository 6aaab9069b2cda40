import type { StoredEvent, Subscription } from './event-store.port';

export interface Page<C = number> {
  /** Matching events strictly after the cursor, in position order. */
  events: StoredEvent[];
  /** The position up to which the store was examined; the next page starts after it. */
  scannedTo: C;
  /**
   * Events are committed past `scannedTo` but cannot be delivered yet (the PostgreSQL store waits for older
   * transactions to end): the next read comes after `CatchUpOptions.pendingRetryMs`, not the poll interval.
   */
  pending?: boolean;
}

/** Where pages come from: a synchronous read (SQLite, memory) or an asynchronous one (PostgreSQL). */
export interface PageSource<C = number> {
  readPage(after: C, limit: number): Page<C> | Promise<Page<C>>;
  /** Calls `listener` after each append that this process can observe; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void;
}

export interface CatchUpOptions<C = number> {
  pageSize: number;
  /** Re-read after this long without a notification (appends by other processes). Omitted: never poll. */
  pollIntervalMs?: number;
  /** Re-read after this long when the last page said events are pending (default 10 ms). */
  pendingRetryMs?: number;
  onClose?: () => void;
  /** The cursor as a store position (for `settledPosition`); none: the subscription does not tell. */
  positionOf?: (cursor: C) => string;
}

/**
 * A pull-based catch-up subscription over a store's cursor (a sequence number by default): it reads the next page only when
 * the consumer has taken every event of the previous one, so a slow consumer never makes it buffer more
 * than a page. When nothing is left it waits for an append notification or the poll interval.
 */
export class CatchUpSubscription<C = number> implements Subscription {
  private closed = false;
  private changed = false;
  private iterated = false;
  private wake: (() => void) | undefined;
  private readonly stopListening: () => void;
  /** Every matching event up to this cursor was handed over and taken (see `settledPosition`). */
  private settled: C | undefined;

  constructor(
    private readonly source: PageSource<C>,
    private cursor: C,
    private readonly options: CatchUpOptions<C>,
  ) {
    // The wake-up runs on a turn of its own: the append that notifies (a group commit) has held the thread
    // already, and the consumer's work should not be added to that stretch.
    this.stopListening = source.onAppend(() => {
      this.changed = true;
      const wake = this.wake;
      if (wake) setImmediate(wake);
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<StoredEvent> {
    this.iterateOnce();
    return this.events();
  }

  /** See `Subscription.pages`: the store's pages as read, none empty. */
  pages(): AsyncIterable<readonly StoredEvent[]> {
    this.iterateOnce();
    const pages = this.pagesRead();
    return { [Symbol.asyncIterator]: () => pages };
  }

  /** See `Subscription.isClosed`. */
  isClosed(): boolean {
    return this.closed;
  }

  /** See `Subscription.settledPosition`. */
  settledPosition(): string | undefined {
    return this.settled === undefined ? undefined : this.options.positionOf?.(this.settled);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopListening();
    this.wake?.();
    this.options.onClose?.();
  }

  private iterateOnce(): void {
    if (this.iterated) throw new Error('A subscription can be iterated only once');
    this.iterated = true;
  }

  private async *events(): AsyncGenerator<StoredEvent> {
    for await (const page of this.pagesRead())
      for (const event of page) {
        yield event;
        if (this.closed) return;
      }
  }

  private async *pagesRead(): AsyncGenerator<readonly StoredEvent[]> {
    try {
      while (!this.closed) {
        this.changed = false;
        const read = this.source.readPage(this.cursor, this.options.pageSize);
        const page = read instanceof Promise ? await read : read;
        if (this.closed) return;
        this.cursor = page.scannedTo;
        if (page.events.length > 0) {
          yield page.events;
          if (this.closed) return;
        }
        // Asked for the next page: the consumer has taken all of this one.
        this.settled = page.scannedTo;
        if (page.events.length < this.options.pageSize && !this.changed)
          await this.idle(page.pending ? (this.options.pendingRetryMs ?? 10) : this.options.pollIntervalMs);
      }
    } finally {
      await this.close();
    }
  }

  private idle(waitMs: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      // Only this wait's own wake-up forgets it: a wake-up of an earlier wait, scheduled twice by two appends
      // in one turn, must not forget the wait after it (which would then sleep through every later append
      // and through `close`).
      const wake = () => {
        clearTimeout(timer);
        if (this.wake === wake) this.wake = undefined;
        resolve();
      };
      this.wake = wake;
      if (this.closed) wake();
      else if (waitMs !== undefined) timer = setTimeout(wake, waitMs);
    });
  }
}
