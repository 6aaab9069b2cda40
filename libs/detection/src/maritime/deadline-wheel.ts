export interface Scheduled {
  /** Bucket the item waits in, or -1. Entries left behind in other buckets are skipped (lazy removal). */
  dueKey: number;
}

/**
 * Deadlines bucketed by `resolutionMs`, with a min-heap of bucket keys. Checking a watermark against the
 * earliest bucket is O(1); an item is (re)scheduled in O(1) amortised. Items are only ever moved by their
 * owner, so a deadline that moved later is discovered when its old bucket comes due and is rescheduled then.
 */
export class DeadlineWheel<T extends Scheduled> {
  private readonly buckets = new Map<number, T[]>();
  private readonly heap: number[] = [];

  constructor(private readonly resolutionMs: number) {}

  get pendingBuckets(): number {
    return this.buckets.size;
  }

  /** The earliest watermark at which some bucket is due (Infinity when empty). */
  get nextDueAt(): number {
    return this.heap.length === 0 ? Infinity : this.heap[0] * this.resolutionMs;
  }

  schedule(item: T, dueAt: number): void {
    const key = Math.ceil(dueAt / this.resolutionMs);
    if (item.dueKey === key) return;
    item.dueKey = key;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      this.buckets.set(key, (bucket = []));
      this.push(key);
    }
    bucket.push(item);
  }

  /** Schedules the item unless it already waits in a bucket no later than `dueAt`'s (O(1), no allocation). */
  scheduleNoLater(item: T, dueAt: number): void {
    const key = Math.ceil(dueAt / this.resolutionMs);
    if (item.dueKey < 0 || item.dueKey > key) this.schedule(item, dueAt);
  }

  unschedule(item: T): void {
    item.dueKey = -1;
  }

  /** Removes and returns every item whose bucket is due at `watermark`. */
  takeDue(watermark: number): T[] {
    const due: T[] = [];
    while (this.heap.length > 0 && this.heap[0] * this.resolutionMs <= watermark) {
      const key = this.pop();
      const bucket = this.buckets.get(key);
      this.buckets.delete(key);
      if (!bucket) continue;
      for (const item of bucket) {
        if (item.dueKey !== key) continue;
        item.dueKey = -1;
        due.push(item);
      }
    }
    return due;
  }

  private push(key: number): void {
    const h = this.heap;
    let i = h.length;
    h.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent] <= key) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = key;
  }

  private pop(): number {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as number;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r] < h[l] ? r : l;
        if (h[c] >= last) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
