import type { InputClock } from './input-clock';

/**
 * What `InputClocks` knows of the lanes its inputs' events came by (Kafka partitions, `<topic>/<partition>`):
 * which still deliver records already pending, which said they stopped, and — where every input's events
 * count (`followHeads`, consignment feeds) — which input's event is the newest each delivered (its head).
 */
export class InputLanes {
  /** The lanes some input's events came by. */
  readonly known = new Set<string>();
  /** The lanes whose newest event came with records still pending on the partition (see `observe`). */
  readonly delivering = new Set<string>();
  /**
   * Where heads are followed: per lane, the input whose event is the newest the lane delivered, when this
   * detector folded it (see `deliveringHeads`).
   */
  readonly heads = new Map<string, InputClock>();
  /**
   * Where heads are followed: the lanes whose latest caught-up marker said they stopped delivering (a quiet
   * of `InputClocks.endQuietMs`) and that delivered nothing since (see `InputClocks.waitsForQuiet`).
   */
  readonly stopped = new Set<string>();
  /** Inputs that headed a lane when it stopped delivering, since last asked (see `takeStoppedHeads`). */
  private stoppedHeads: InputClock[] = [];
  /** The lane of the event `observe` folded last, until `note` hears of that event (the same one). */
  private observedLane: string | undefined;

  /** `followHeads`: each lane's head is followed (`InputClocks` with `idleScope` `all`). */
  constructor(private readonly followHeads: boolean) {}

  /**
   * An event of `input` was folded, fetched with `pending` records (undefined: not known) still on its
   * partition: the lane's newest event is that one. Returns whether the delivering lanes or heads changed.
   */
  observe(input: InputClock, pending: number | undefined): boolean {
    this.observedLane = input.lane === '' ? undefined : input.lane;
    if (input.lane === '') return false;
    this.stopped.delete(input.lane);
    let headMoved = false;
    if (this.followHeads) {
      const head = this.heads.get(input.lane);
      if (head !== input) {
        this.heads.set(input.lane, input);
        if (head && this.delivering.has(input.lane)) {
          this.stoppedHeads.push(head);
          headMoved = true;
        }
      }
    }
    return this.mark(input.lane, pending) || headMoved;
  }

  /**
   * An event came by `lane` with `pending` records after it (see `InputClocks.noteLane`), maybe the one
   * `observe` just folded. Returns whether the delivering lanes or heads changed.
   */
  note(lane: string, pending: number | undefined): boolean {
    if (!this.known.has(lane)) return false;
    this.stopped.delete(lane);
    const folded = this.observedLane === lane;
    this.observedLane = undefined;
    if (folded) return this.mark(lane, pending);
    // The lane's newest event is not one of ours: where it stands in event time is unknown here.
    const head = this.heads.get(lane);
    const heldBefore = head !== undefined && this.delivering.has(lane);
    if (head) this.heads.delete(lane);
    if (head && heldBefore) this.stoppedHeads.push(head);
    return this.mark(lane, pending) || heldBefore;
  }

  /** The lane's newest event came with `pending` records after it; returns whether the delivering lanes changed. */
  mark(lane: string, pending: number | undefined): boolean {
    const before = this.delivering.size;
    if (pending !== undefined && pending > 0) this.delivering.add(lane);
    else if (this.delivering.delete(lane)) {
      const head = this.heads.get(lane);
      if (head) this.stoppedHeads.push(head);
    }
    return before !== this.delivering.size;
  }

  /** The open inputs heading the lanes still delivering (see `InputClocks.deliveringHeads`). */
  deliveringHeads(): InputClock[] {
    const heads: InputClock[] = [];
    for (const lane of this.delivering) {
      const head = this.heads.get(lane);
      if (head && !head.closed) heads.push(head);
    }
    return heads;
  }

  /** The inputs that headed a lane when it stopped delivering, since last asked (then forgotten). */
  takeStoppedHeads(): InputClock[] {
    const stopped = this.stoppedHeads;
    this.stoppedHeads = [];
    return stopped;
  }
}
