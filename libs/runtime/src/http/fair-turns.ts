/**
 * Turns of the event loop shared fairly among keys (organisations). Long work — an alert stream replaying its
 * history — runs in slices of a few milliseconds; after each slice it asks `take(key)` for its next turn. One
 * turn is granted per event-loop iteration (a `setImmediate`), going round the keys that wait, oldest waiter
 * of each key first. So however many slices wait, requests (`/health` among them) are served between two
 * slices, and one organisation's sixty replays together get the same share as another's one.
 */
export class FairTurns {
  /** Keys with work waiting, in round-robin order; each with its waiters, oldest first. */
  private readonly waiting = new Map<string, Array<() => void>>();
  private scheduled = false;

  /** Resolves at `key`'s next turn. */
  take(key: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const queue = this.waiting.get(key);
      if (queue) queue.push(resolve);
      else this.waiting.set(key, [resolve]);
      this.schedule();
    });
  }

  /** How many slices wait for a turn (for metrics and tests). */
  get pending(): number {
    let n = 0;
    for (const queue of this.waiting.values()) n += queue.length;
    return n;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.grant());
  }

  private grant(): void {
    this.scheduled = false;
    const next = this.waiting.entries().next();
    if (next.done) return;
    const [key, queue] = next.value;
    const wake = queue.shift() as () => void;
    // The key goes to the back of the round with what it still has waiting.
    this.waiting.delete(key);
    if (queue.length > 0) this.waiting.set(key, queue);
    if (this.waiting.size > 0) this.schedule();
    wake();
  }
}

/**
 * Long work of one holder (an organisation, or an operator's credential) cut into slices of at most `sliceMs`
 * of the event loop: call `next()` between items; once the slice has run that long it waits for the holder's
 * next turn (`FairTurns`), so other requests — another organisation's, `/health` — are served in between.
 */
export class FairSlices {
  private started = performance.now();

  constructor(
    private readonly turns: FairTurns,
    private readonly holder: string,
    private readonly sliceMs = 5,
  ) {}

  /** Resolves at once while the slice lasts; after `sliceMs`, at the holder's next turn. */
  next(): Promise<void> | undefined {
    if (performance.now() - this.started < this.sliceMs) return undefined;
    return this.turns.take(this.holder).then(() => {
      this.started = performance.now();
    });
  }
}

/** What `writeItemsInSlices` writes to: an HTTP response (Express's, or Node's). */
export interface ItemsResponse {
  readonly destroyed: boolean;
  write(chunk: string): unknown;
  end(chunk: string): unknown;
  destroy(error: Error): unknown;
}

/**
 * Writes `{"items":[…]<tail>}` (a 200's body, its status line already set) one item at a time, each shaped by
 * `show` and serialised in the caller's slices (`FairSlices`), so a list of thousands never holds the event
 * loop. `tail` is what follows the array (e.g. `,"next":…`). A failure once writing has begun can only cut
 * the response short: the connection is destroyed (the client sees no valid JSON).
 */
export async function writeItemsInSlices<T>(
  res: ItemsResponse,
  items: readonly T[],
  slices: FairSlices,
  show: (item: T) => unknown,
  tail = '',
): Promise<void> {
  res.write('{"items":[');
  try {
    for (let i = 0; i < items.length && !res.destroyed; i++) {
      const wait = slices.next();
      if (wait) await wait;
      res.write((i === 0 ? '' : ',') + JSON.stringify(await show(items[i])));
    }
    res.end(`]${tail}}`);
  } catch (error) {
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}
