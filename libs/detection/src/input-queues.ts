import type { InputClock, InputClocks } from './input-clocks';

/** Subjects waiting for an event time (ms), earliest first. */
export interface DueQueue<S> {
  /** The earliest time (ms) some subject waits for; +Infinity when none waits. */
  readonly nextDueAt: number;
  /** Removes and returns the subjects whose time is not later than `now` (ms). */
  takeDue(now: number): S[];
}

/**
 * The subjects of a detector (vessels, consignments) waiting for a due time, each in the queue of its home:
 * the input whose clock holds the subject's clock back (`InputClocks.holding`). A subject is judged when its
 * home's (effective) watermark reaches its due time, so a feed running ahead never makes another feed's
 * subjects look overdue; when its home falls idle or closes, the subject is taken out (`release`) and waits
 * again in the queue of the input holding it back then.
 *
 * One queue per input that ever held a subject, created on first use (`of`), in that order; which subjects
 * a queue holds, and how a subject moves between queues, is the owner's affair (lazy removal included: a
 * subject taken from a queue that is no longer its home is skipped by the owner).
 */
export class InputQueues<S, Q extends DueQueue<S>> {
  private readonly queues = new Map<InputClock, Q>();

  constructor(
    private readonly clocks: InputClocks,
    private readonly create: () => Q,
  ) {}

  /** The input's queue, undefined when no subject ever waited on it. */
  get(input: InputClock): Q | undefined {
    return this.queues.get(input);
  }

  /** The input's queue, created empty on first use. */
  of(input: InputClock): Q {
    let queue = this.queues.get(input);
    if (!queue) this.queues.set(input, (queue = this.create()));
    return queue;
  }

  /** Whether some subject waiting on `input` is due by the input's effective watermark. */
  isDue(input: InputClock): boolean {
    const queue = this.queues.get(input);
    return queue !== undefined && this.clocks.effective(input) >= queue.nextDueAt;
  }

  /** Removes and returns the subjects waiting on `input` that its effective watermark has reached. */
  takeDue(input: InputClock): S[] {
    const queue = this.queues.get(input);
    if (!queue) return [];
    const now = this.clocks.effective(input);
    return now < queue.nextDueAt ? [] : queue.takeDue(now);
  }

  /**
   * Takes every subject waiting on each of `inputs` (inputs that fell idle, closed or stopped heading a
   * lane: their subjects may be held back by another input now) and hands each to `rehome` with the input
   * it waited on, input after input.
   */
  release(inputs: Iterable<InputClock>, rehome: (subject: S, from: InputClock) => void): void {
    for (const input of inputs) {
      const queue = this.queues.get(input);
      if (!queue) continue;
      for (const subject of queue.takeDue(Number.POSITIVE_INFINITY)) rehome(subject, input);
    }
  }

  /**
   * The inputs with a queue, in the order their queues were created. Live: queues created while it is
   * iterated are visited too.
   */
  inputs(): IterableIterator<InputClock> {
    return this.queues.keys();
  }

  /** The inputs with a queue, by input id (the same order whatever order the queues were created in). */
  inputsById(): InputClock[] {
    return [...this.queues.keys()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The queues, in the order they were created. */
  values(): IterableIterator<Q> {
    return this.queues.values();
  }
}
