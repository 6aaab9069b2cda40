/**
 * Event-time alignment of the partitions one consumer reads (the watermark alignment of Apache Flink, FLIP-182):
 * while catching up, a partition may hand over a message only if its event time is at most `maxDriftMs` past the
 * slowest partition that still has data. Partitions running further ahead pause until the others catch up, so
 * two vessels whose AIS sits on different partitions are judged side by side even when one partition's backlog
 * reaches hours further.
 *
 * A partition's frontier is the event time of the next message it wants to hand over (or, before it has shown
 * one, of the last it handed over). Partitions read to their high watermark (or with nothing to read when
 * assigned), and partitions quiet for `idleAfterMs` (not counting a hold), do not hold the others back —
 * Flink's idleness. A partition
 * with a backlog that has not shown its first batch yet holds the others (for at most `unseenGraceMs`). The partition with the
 * smallest frontier is never held, so alignment cannot deadlock. Not only at start-up: when a batch comes far
 * ahead of a partition that counted as caught up or quiet (`aheadOfQuiet`), the consumer asks the broker which
 * partitions got new records since (`hasNewRecords`), and those hold the others again until their batches
 * show — a burst produced into a running service is handed over in event-time order across its partitions.
 * Times are milliseconds since the epoch.
 */
export interface AlignmentOptions {
  maxDriftMs: number;
  idleAfterMs: number;
  /** How long a partition known to have a backlog may hold the others before its first batch (10 × idle). */
  unseenGraceMs?: number;
  /** Wall clock in ms, for idleness only. */
  now?: () => number;
}

interface PartitionState {
  /** Event time of the next message to hand over, or of the last handed over; -Infinity before any. */
  frontier: number;
  caughtUp: boolean;
  /** Wall clock of the last sign of life (assignment, a batch). */
  seenAt: number;
  /** Handed messages over without any event time (e.g. raw NMEA without a time): never holds others back. */
  untimed: boolean;
  /** Has shown an event time (waiting or handed). */
  seen: boolean;
  /** Held back with a message in hand: not idle, however long the hold lasts. */
  waiting: boolean;
}

export class PartitionAlignment {
  private readonly partitions = new Map<string, PartitionState>();
  private readonly now: () => number;

  constructor(private readonly options: AlignmentOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  /** The partitions this member was given (after each rebalance); their frontiers are unknown until seen. */
  assign(keys: readonly string[]): void {
    const at = this.now();
    this.partitions.clear();
    for (const key of keys) this.partitions.set(key, this.fresh(at));
  }

  /**
   * What the group's offsets say about `key` when it was assigned: with nothing left to read it holds nobody
   * back; with a backlog it holds the others until its first batch shows where it stands.
   */
  backlog(key: string, hasBacklog: boolean): void {
    const state = this.state(key);
    if (!state.seen) state.caughtUp = !hasBacklog;
  }

  /**
   * The latest event time `key` may hand over now: the slowest other partition's frontier plus the drift,
   * or +Infinity when no other partition holds it back.
   */
  horizon(key: string): number {
    let slowest = Infinity;
    const at = this.now();
    for (const [other, state] of this.partitions) {
      if (other === key || state.caughtUp || state.untimed) continue;
      if (!state.waiting && at - state.seenAt >= this.idleAfter(state)) continue;
      slowest = Math.min(slowest, state.frontier);
    }
    return slowest === Infinity ? Infinity : slowest + this.options.maxDriftMs;
  }

  /**
   * Whether a message of `key` at `eventTimeMs` is ahead of a partition that holds nobody back now — caught up,
   * quiet, or not seen yet — by more than the drift: were that partition to have new records, they could be
   * older, and should go first. Then it is worth asking the broker (`hasNewRecords`): a burst produced into a
   * running service reaches one partition's batch before another's.
   */
  aheadOfQuiet(key: string, eventTimeMs: number): boolean {
    const at = this.now();
    for (const [other, state] of this.partitions) {
      if (other === key || state.untimed) continue;
      if (!state.caughtUp && (state.waiting || at - state.seenAt < this.idleAfter(state))) continue;
      if (eventTimeMs > state.frontier + this.options.maxDriftMs) return true;
    }
    return false;
  }

  /**
   * Whether `key` has been handing messages over within the idle period (not held back, not quiet): a batch
   * of such a partition continues a delivery in progress rather than starting a burst.
   */
  flowing(key: string): boolean {
    const state = this.partitions.get(key);
    return (
      state !== undefined &&
      state.seen &&
      !state.waiting &&
      this.now() - state.seenAt < this.options.idleAfterMs
    );
  }

  /**
   * The broker holds records of `key` not handed over yet (its end offset is past what was stored) although
   * it counted as caught up or quiet: it holds the others back again from its frontier — as a partition with a
   * backlog at assignment does — until its next batch shows where it stands (or it stays quiet for the idle
   * period, the grace of one not seen yet).
   */
  hasNewRecords(key: string): void {
    const state = this.state(key);
    if (state.waiting) return;
    state.caughtUp = false;
    state.seenAt = this.now();
  }

  private idleAfter(state: PartitionState): number {
    return state.seen
      ? this.options.idleAfterMs
      : (this.options.unseenGraceMs ?? 10 * this.options.idleAfterMs);
  }

  /** `key` wants to hand over a message of this event time next (it may be held back). */
  waiting(key: string, eventTimeMs: number): void {
    const state = this.state(key);
    state.frontier = eventTimeMs;
    state.untimed = false;
    state.seen = true;
    state.waiting = true;
    state.caughtUp = false;
    state.seenAt = this.now();
  }

  /** `key` handed over messages up to this event time; `caughtUp` when it reached its high watermark. */
  handed(key: string, eventTimeMs: number | undefined, caughtUp: boolean): void {
    const state = this.state(key);
    if (eventTimeMs !== undefined) state.frontier = eventTimeMs;
    state.untimed = state.frontier === -Infinity;
    state.seen = true;
    state.waiting = false;
    state.caughtUp = caughtUp;
    state.seenAt = this.now();
  }

  /**
   * Whether what holds `key` back is a partition that has shown its data (so it comes with the next fetch),
   * rather than one not seen yet.
   */
  heldBySeen(key: string): boolean {
    const horizon = this.horizon(key) - this.options.maxDriftMs;
    for (const [other, state] of this.partitions)
      if (other !== key && state.frontier === horizon) return state.seen;
    return false;
  }

  /** Whether `key`'s next message (at its frontier) may go now. */
  mayGo(key: string): boolean {
    return this.state(key).frontier <= this.horizon(key);
  }

  private state(key: string): PartitionState {
    let state = this.partitions.get(key);
    if (!state) {
      state = this.fresh(this.now());
      this.partitions.set(key, state);
    }
    return state;
  }

  private fresh(at: number): PartitionState {
    return { frontier: -Infinity, caughtUp: false, seenAt: at, untimed: false, seen: false, waiting: false };
  }
}
