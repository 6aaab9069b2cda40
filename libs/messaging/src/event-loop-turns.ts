/**
 * Hands out turns of the event loop one at a time: each `next()` resolves in a turn of its own, in the order
 * asked, so at most one waiter's work runs between two passes of the loop's timers and I/O.
 *
 * `setImmediate` alone does not: every immediate queued before the loop's check phase runs in that one phase,
 * back to back. Kafka intake starts each slice of a partition's batch on a fresh turn; with four partitions
 * handed over by one fetch (or resumed by one group commit), their slices — each a few hundred messages
 * decoded and validated in one go — would otherwise hold the thread together, for four times as long as one.
 */
export class EventLoopTurns {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;

  /** Resolves on a turn of its own, after the waiters that asked before it. */
  next(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.release);
      }
    });
  }

  /** How many waiters have not had their turn yet. */
  get pending(): number {
    return this.waiting.length;
  }

  private readonly release = (): void => {
    const resolve = this.waiting.shift();
    // An immediate queued while the check phase runs waits for the loop's next pass (Node.js event loop).
    if (this.waiting.length > 0) setImmediate(this.release);
    else this.scheduled = false;
    resolve?.();
  };
}

/** The turns Kafka intake's slices take, shared by every consumer of the process. */
export const intakeTurns = new EventLoopTurns();
