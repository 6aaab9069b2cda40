import type { StoredEvent, Subscription } from './event-store.port';

export interface Page {
  /** Matching events strictly after the cursor, in position order. */
  events: StoredEvent[];
  /** The position up to which the store was examined; the next page starts after it. */
  scannedTo: number;
}

export interface PageSource {
  readPage(after: number, limit: number): Page;
  /** Calls `listener` after each append that this process can observe; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void;
}

export interface CatchUpOptions {
  pageSize: number;
  /** Re-read after this long without a notification (appends by other processes). Omitted: never poll. */
  pollIntervalMs?: number;
  onClose?: () => void;
}

/**
 * A pull-based catch-up subscription over a store of sequence positions: it reads the next page only when
 * the consumer has taken every event of the previous one, so a slow consumer never makes it buffer more
 * than a page. When nothing is left it waits for an append notification or the poll interval.
 */
export class CatchUpSubscription implements Subscription {
  private closed = false;
  private changed = false;
  private iterated = false;
  private wake: (() => void) | undefined;
  private readonly stopListening: () => void;

  constructor(
    private readonly source: PageSource,
    private cursor: number,
    private readonly options: CatchUpOptions,
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
    if (this.iterated) throw new Error('A subscription can be iterated only once');
    this.iterated = true;
    return this.events();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopListening();
    this.wake?.();
    this.options.onClose?.();
  }

  private async *events(): AsyncGenerator<StoredEvent> {
    try {
      while (!this.closed) {
        this.changed = false;
        const page = this.source.readPage(this.cursor, this.options.pageSize);
        this.cursor = page.scannedTo;
        for (const event of page.events) {
          yield event;
          if (this.closed) return;
        }
        if (page.events.length < this.options.pageSize && !this.changed) await this.idle();
      }
    } finally {
      await this.close();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      if (this.closed) this.wake();
      else if (this.options.pollIntervalMs !== undefined)
        timer = setTimeout(this.wake, this.options.pollIntervalMs);
    });
  }
}
