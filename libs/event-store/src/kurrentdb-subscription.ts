import type { AllStreamResolvedEvent, AllStreamSubscription, RecordedEvent } from '@kurrent/kurrentdb-client';
import type { StoredEvent, Subscription } from './event-store.port';
import { compareLogPositions, toStored, type LogPosition } from './kurrentdb-mapping';

export interface ResubscribeOptions {
  delayMs: number;
  maxAttempts: number;
  onClose: () => void;
}

/**
 * A catch-up subscription that survives the server dropping it: it resubscribes from the last position it
 * saw (exclusive), so nothing is missed or repeated. The client's stream is a Node Readable, so a slow
 * consumer holds back the gRPC flow rather than filling memory.
 */
export class KurrentDbSubscription implements Subscription {
  private closed = false;
  private iterated = false;
  private current: AllStreamSubscription | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly open: (from: LogPosition | undefined) => Promise<AllStreamSubscription>,
    private after: LogPosition | undefined,
    private readonly accept: (event: RecordedEvent) => boolean,
    private readonly options: ResubscribeOptions,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<StoredEvent> {
    if (this.iterated) throw new Error('A subscription can be iterated only once');
    this.iterated = true;
    return this.events();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    await this.release();
    this.options.onClose();
  }

  private async *events(): AsyncGenerator<StoredEvent> {
    let failures = 0;
    try {
      while (!this.closed) {
        try {
          const subscription = await this.open(this.after);
          this.current = subscription;
          if (this.closed) return;
          subscription.once('confirmation', () => {
            failures = 0;
          });
          for await (const resolved of subscription as AsyncIterable<AllStreamResolvedEvent>) {
            failures = 0;
            const event = resolved.event;
            if (!event || (this.after && compareLogPositions(event.position, this.after) <= 0)) continue;
            this.after = event.position;
            if (!this.accept(event)) continue;
            yield toStored(event);
            if (this.closed) return;
          }
        } catch (error) {
          if (this.closed) return;
          if (++failures >= this.options.maxAttempts) throw error;
        } finally {
          await this.release();
        }
        if (!this.closed) await this.pause(this.options.delayMs);
      }
    } finally {
      await this.close();
    }
  }

  private async release(): Promise<void> {
    const subscription = this.current;
    this.current = undefined;
    if (!subscription) return;
    await subscription.unsubscribe().catch(() => undefined);
    subscription.destroy();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
