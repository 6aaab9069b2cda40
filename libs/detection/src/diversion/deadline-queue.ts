import type { DueQueue } from '../input-queues';

interface Entry {
  at: number;
  id: string;
}

/**
 * When each consignment must be judged again, as a binary min-heap. Asking whether anything is due is
 * O(1); rescheduling pushes a new entry and leaves the old one to be skipped when it surfaces.
 */
export class DeadlineQueue implements DueQueue<string> {
  private readonly heap: Entry[] = [];
  private readonly current = new Map<string, number>();

  schedule(id: string, at: number): void {
    if (!Number.isFinite(at)) {
      this.current.delete(id);
      return;
    }
    if (this.current.get(id) === at) return;
    this.current.set(id, at);
    this.push({ at, id });
  }

  /** The earliest time (ms) in the heap (possibly of an entry rescheduled since); +Infinity when empty. */
  get nextDueAt(): number {
    return this.heap.length > 0 ? this.heap[0].at : Number.POSITIVE_INFINITY;
  }

  isDue(watermark: number): boolean {
    return this.heap.length > 0 && this.heap[0].at <= watermark;
  }

  /** Removes and returns the ids due at the watermark, sorted. */
  takeDue(watermark: number): string[] {
    const due = new Set<string>();
    while (this.heap.length > 0 && this.heap[0].at <= watermark) {
      const { at, id } = this.pop();
      if (this.current.get(id) !== at) continue;
      this.current.delete(id);
      due.add(id);
    }
    return [...due].sort();
  }

  /** When the id is due, undefined when it is not scheduled. */
  dueAt(id: string): number | undefined {
    return this.current.get(id);
  }

  entries(): Array<[string, number]> {
    return [...this.current].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  get size(): number {
    return this.current.size;
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop() as Entry;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < heap.length && before(heap[l], heap[smallest])) smallest = l;
        if (r < heap.length && before(heap[r], heap[smallest])) smallest = r;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
        i = smallest;
      }
    }
    return top;
  }
}

const before = (a: Entry, b: Entry): boolean => a.at < b.at || (a.at === b.at && a.id < b.id);
