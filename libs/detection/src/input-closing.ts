import type { InputClock } from './input-clock';
import type { InputLanes } from './input-lanes';

/** What ending and reopening inputs reads and moves of the input clocks (`InputClocks` is this). */
export interface ClosingClocks {
  readonly byId: ReadonlyMap<string, InputClock>;
  readonly closedSources: Map<string, number>;
  readonly lanes: InputLanes;
  readonly idleMs: number;
  readonly idleScope: 'lane' | 'all';
  readonly endQuietMs: number;
  frontier: number;
  noteAhead(input: InputClock): void;
}

/**
 * Lane `lane` — a Kafka partition, `<topic>/<partition>` — has delivered every record it held (the
 * ingestor's `aidwatch.partition.caught-up.v1`: everything up to the partition's end offset, read from the
 * broker, was stored before this marker). Nothing is pending on it any more, and each open input on it is
 * judged as one input in production order would be:
 *
 * - its watermark moves to the newest event time its source delivered on any other lane (a source produces
 *   in its own event-time order, give or take the allowed lateness: its records on this partition produced
 *   from now on are dated after what it delivered elsewhere — the receiver whose other partitions ran
 *   ahead);
 * - when the partition has been quiet for `endQuietMs` or more (`quietMs`, measured by the ingestor and
 *   recorded in the marker), it has stopped delivering: each open input on it is idle when another input —
 *   of any lane: this one holds nothing more, so a lane consumed ahead no longer says anything this one
 *   might still deliver — stands more than `idleMs` beyond its watermark, since that lead, however the
 *   others came by it, is what production order shows after its last event. A shorter quiet does not: a
 *   feed delivering late in bursts (satellite AIS hours behind) is quiet between two bursts without having
 *   stopped, and its lag must not release it. An import far behind is held only while it delivers; closed
 *   inputs are never idle.
 *
 * The same rule judges the markers in any order: the others' lead is the newest watermark among them, which
 * no marker moves past what some input delivered. Returns whether any clock moved (subjects waiting on the
 * lane's inputs are to be judged).
 */
export function laneCaughtUp(clocks: ClosingClocks, lane: string, quietMs = 0): boolean {
  let moved = clocks.lanes.mark(lane, 0);
  if (!clocks.lanes.known.has(lane)) return moved;
  const onLane: InputClock[] = [];
  for (const input of clocks.byId.values()) if (input.lane === lane && !input.closed) onLane.push(input);
  for (const input of onLane) {
    let reached = input.watermark;
    for (const other of clocks.byId.values())
      if (other.source === input.source && other !== input && other.watermark > reached)
        reached = other.watermark;
    if (reached > input.watermark) {
      input.watermark = reached;
      moved = true;
    }
  }
  if (!(quietMs >= clocks.endQuietMs)) return moved;
  if (clocks.idleScope === 'all') clocks.lanes.stopped.add(lane);
  for (const input of onLane) {
    let lead = Number.NEGATIVE_INFINITY;
    for (const other of clocks.byId.values())
      if (other !== input && other.watermark > lead) lead = other.watermark;
    if (!(lead - clocks.idleMs > input.watermark)) continue;
    if (lead > input.othersSince) {
      input.othersSince = lead;
      if (input.idle) moved = true;
    }
    if (!input.idle) {
      input.idle = true;
      input.released = false;
      moved = true;
    }
  }
  return moved;
}

/**
 * The producer of `source` says it ended, its coverage reaching `at` (ms): every input of the source —
 * one per lane its events came by, and those that appear later — is closed; the one on `lane`, the lane
 * the close came by ('' or undefined: none), has delivered everything before it and its watermark moves
 * to `at` if later. Inputs of the source on other lanes keep their own watermarks: a partition consumed
 * behind may still deliver events dated up to `at`, which keep it closed (no event counted, no other
 * input's clock moved). Only an event of the source dated after `at` reopens it (`observe`). Returns the
 * source's inputs.
 */
export function closeSource(clocks: ClosingClocks, source: string, at: number, lane = ''): InputClock[] {
  const inputs = boundSource(clocks, source, at);
  for (const input of inputs) {
    if (input.lane === lane && at > input.watermark) input.watermark = input.delivered = at;
    if (input.watermark > clocks.frontier) clocks.frontier = input.watermark;
  }
  return inputs;
}

/**
 * The producer of `source` announces that its events to come are dated no later than `until` (ms;
 * `aidwatch.input.bounded.v1`, a history import declared before its first event): every input of the
 * source — those that appear later included — is closed as by `close`, but no watermark moves (nothing
 * has been delivered yet). Its events dated up to `until` keep it closed; one dated after reopens it.
 * Returns the source's inputs.
 */
export function boundSource(clocks: ClosingClocks, source: string, until: number): InputClock[] {
  const before = clocks.closedSources.get(source);
  clocks.closedSources.set(source, before !== undefined && before > until ? before : until);
  const inputs: InputClock[] = [];
  for (const input of clocks.byId.values()) {
    if (input.source !== source) continue;
    inputs.push(input);
    input.closed = true;
    input.released = false;
    input.idle = false;
    input.othersSince = Number.NEGATIVE_INFINITY;
  }
  return inputs;
}

/** The closed source speaks again: each of its inputs is open, as if it had just delivered an event. */
export function reopenSource(clocks: ClosingClocks, source: string): void {
  clocks.closedSources.delete(source);
  for (const input of clocks.byId.values())
    if (input.source === source) {
      input.closed = false;
      input.idle = false;
      input.released = false;
      input.othersSince = Number.NEGATIVE_INFINITY;
      clocks.noteAhead(input);
    }
}
