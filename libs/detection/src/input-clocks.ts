import {
  inputIdOf,
  laneOfInputId,
  sourceOfInputId,
  type InputClock,
  type InputClockJson,
} from './input-clock';
import { inputClocksToJson, restoreInputClocks } from './input-clocks-json';
import { boundSource, closeSource, laneCaughtUp, reopenSource } from './input-closing';
import { InputLanes } from './input-lanes';

export {
  inputIdOf,
  laneOfInputId,
  sourceOfInputId,
  type InputClock,
  type InputClockJson,
  type Span,
} from './input-clock';

/**
 * Event time per input, derived from the log alone (so a rebuild judges exactly as live did).
 *
 * - An input's watermark is the newest event time it delivered.
 * - An input is idle when it has been silent while another input of its lane moved its event time on by
 *   more than `idleMs`: since its last event, that other input delivered an event more than `idleMs` later
 *   than its watermark and — if it stood ahead of it then — covered more than `idleMs` of event time, from
 *   where it stood (`ahead`; decided by the event time of the others, never by the wall clock: Apache
 *   Flink's idle sources). Its effective watermark is then the others' newest event time since its last
 *   event minus `idleMs`. An input far behind the others — a history imported while live feeds run — is so
 *   not released while it still delivers; nor does an input far ahead — a report dated weeks later — keep
 *   the others from falling idle, since each is measured by what it delivered itself. Folded in store order
 *   and kept in checkpoints. Only the same lane counts: a lane keeps its order however fast it is consumed,
 *   so another source's later event on it shows that the lane has passed that time, whereas a lane consumed
 *   ahead — a partition in a burst — says nothing about what a lane behind still holds. An input without a
 *   lane (HTTP, or events stored before lanes were recorded, as in an older checkpoint) is judged by every
 *   input's events.
 * - An input whose lane's newest event was fetched with records still pending on its Kafka partition
 *   (`pending` > 0, recorded by the ingestor) is never idle: the partition will deliver more, however far
 *   behind the others it is consumed (a partition catching up a backlog while the others are at their head),
 *   and any source on it may be among them; where every input's events count (consignment feeds), while any
 *   partition has records pending. Once an event comes on the lane with none pending, the rule above applies
 *   again; a stopped feed's last event had none, so it is released.
 * - A subject (vessel, consignment) is judged by the minimum of the watermarks of the inputs that report it
 *   and are not idle: a lagging input holds its subjects back, and no producer's clock moves the judgement
 *   of subjects it does not report. When every input of a subject is idle, its clock moves on with the
 *   others, `idleMs` behind (the latest *effective* watermark of its inputs). A feed that imports old
 *   history therefore keeps its own time until it falls silent.
 * - A **closed** input (its producer said its source ended, `close`) is never idle: its watermark stays
 *   where its own events and the close put it, whatever the others deliver. It holds back no subject that an
 *   open input reports (it will deliver nothing more: Flink's finished source); a subject reported by closed
 *   inputs only is judged on the latest of their watermarks. A close applies to every input of its source
 *   (each Kafka partition its events came by, those that appear later included); only an event of the
 *   source dated after the close's time reopens them all.
 */
export class InputClocks {
  /** Every input by id, in the order first seen (read by `restoreInputClocks` and `input-closing`). */
  readonly byId = new Map<string, InputClock>();
  /** The closed sources, each with the time its coverage ends (ms; see `close`). */
  readonly closedSources = new Map<string, number>();
  /** What is known of the lanes the inputs' events came by: delivering, stopped, their heads. */
  readonly lanes: InputLanes;
  /** The newest event time over all inputs (ms), -Infinity before the first event. */
  frontier = Number.NEGATIVE_INFINITY;

  /**
   * `idleScope`: which other inputs' events can make an input idle — those of its own lane (`lane`, AIS: a
   * partition consumed ahead proves nothing about one behind), or every input (`all`, consignment feeds:
   * one programme's paperwork spans several topics, each often with no other source on its partition, so a
   * lane-scoped rule would hold a consignment until more traffic came on the slowest of them).
   */
  constructor(
    readonly idleMs: number,
    readonly idleScope: 'lane' | 'all' = 'lane',
    /** How long a partition must have been quiet for its caught-up marker to mean it stopped (`caughtUp`). */
    readonly endQuietMs = 10 * 60_000,
  ) {
    this.lanes = new InputLanes(idleScope === 'all');
  }

  /** Inputs by lane, then source (`inputOf`); those that came by no lane in `unlaned`. */
  private readonly byLane = new Map<string, Map<string, InputClock>>();
  private readonly unlaned = new Map<string, InputClock>();

  /**
   * The clock of source `source` on `lane` (the input `inputIdOf(source, lane)`), created on its first event.
   * Per event: it finds the input by the strings the event carries, without building its id.
   */
  inputOf(source: string, lane?: string): InputClock {
    let sources = lane === undefined ? this.unlaned : this.byLane.get(lane);
    const found = sources?.get(source);
    if (found !== undefined) return found;
    const input = this.input(inputIdOf(source, lane));
    if (sources === undefined) this.byLane.set(lane as string, (sources = new Map()));
    sources.set(source, input);
    return input;
  }

  /** The input's clock, created on its first event. */
  input(id: string): InputClock {
    let input = this.byId.get(id);
    if (!input) {
      const source = sourceOfInputId(id);
      input = {
        id,
        source,
        lane: laneOfInputId(id),
        watermark: Number.NEGATIVE_INFINITY,
        delivered: Number.NEGATIVE_INFINITY,
        othersSince: Number.NEGATIVE_INFINITY,
        ahead: new Map(),
        idle: false,
        events: 0,
        late: 0,
        released: false,
        closed: this.closedSources.has(source),
      };
      this.byId.set(id, input);
      if (input.lane !== '') this.lanes.known.add(input.lane);
    }
    return input;
  }

  /**
   * An event this detector does not fold came by `lane` with `pending` records still on the partition (see
   * `observe`): the lane's newest event is that one, so whether the lane is still delivering follows it (a
   * partition shared by both detectors' events — a reference topic carrying port declarations, grants and
   * designations — must not stay "delivering" because the last event this detector folded there had records
   * after it that only the other detector reads). Lanes none of its inputs use are ignored. The event `observe`
   * just folded may be noted too (the engine tells both detectors of every event). One this detector does not
   * fold ends the lane's head (`deliveringHeads`): where the lane stands in event time is unknown here.
   * Returns whether the delivering lanes or heads changed (idle inputs are held or released again).
   */
  noteLane(lane: string, pending: number | undefined): boolean {
    return this.lanes.note(lane, pending);
  }

  /**
   * Lane `lane` — a Kafka partition — has delivered every record it held
   * (`aidwatch.partition.caught-up.v1`), quiet for `quietMs` (ms): see `laneCaughtUp`. Returns whether any
   * clock moved.
   */
  caughtUp(lane: string, quietMs = 0): boolean {
    return laneCaughtUp(this, lane, quietMs);
  }

  /**
   * Where every input's events count (consignment feeds), the inputs heading the lanes that are still
   * delivering: each is the source whose event is the newest its partition delivered, fetched with records
   * pending after it (`observe`). Such a partition — a monitors' or field topic catching up a backlog,
   * its first records fetched while a burst of another topic is consumed — may still carry any programme's
   * missing fact dated after that event, so it holds back every consignment's judgement about something
   * missing or inconsistent (the detector adds them to each consignment's inputs), whichever exemptions it
   * has reported so far. Closed inputs hold nothing back. Empty where lanes' heads are not followed (AIS).
   */
  deliveringHeads(): InputClock[] {
    return this.lanes.deliveringHeads();
  }

  /**
   * The inputs that headed a lane when it stopped delivering (or whose lane's newest event became one they
   * do not fold) since last asked: subjects waiting on them because of `deliveringHeads` follow their own
   * inputs again.
   */
  takeStoppedHeads(): InputClock[] {
    return this.lanes.takeStoppedHeads();
  }

  /**
   * An event from `input` at `at`: moves its watermark if later, counts it as late when older than the
   * watermark minus `latenessMs`; one dated after its closed source's end reopens the source. `pending` is
   * how many records were still pending on its Kafka partition (its lane) when the event was fetched
   * (undefined for HTTP and for events stored before it was recorded): while the newest event of a lane had
   * some, the lane will deliver more, and no input on it — this source or another sharing the partition — is
   * idle (`isDelivering`). Events of the lane that only the other detector folds count too (`noteLane`).
   * Returns whether an idle input's clock moved with it.
   */
  observe(input: InputClock, at: number, latenessMs: number, pending?: number): boolean {
    input.events++;
    // Idle inputs of a lane that starts or stops delivering are held or released again: their clocks moved.
    const suspended = this.lanes.observe(input, pending);
    if (at < input.watermark - latenessMs) input.late++;
    if (at > input.delivered) input.delivered = at;
    if (input.closed && !(at <= (this.closedSources.get(input.source) as number)))
      reopenSource(this, input.source);
    return this.advance(input, at) || suspended;
  }

  /**
   * The input announces progress to `at` (no event counted): its watermark moves if later, and the others
   * of its lane note an event of someone else. Returns whether an idle input's clock moved with it.
   */
  advance(input: InputClock, at: number): boolean {
    if (at > input.watermark) input.watermark = at;
    if (at > this.frontier) this.frontier = at;
    input.othersSince = Number.NEGATIVE_INFINITY;
    input.idle = false;
    input.released = false;
    let idleMoved = false;
    if (this.byId.size > 1)
      for (const other of this.byId.values()) {
        if (other === input) continue;
        // The others ahead of it now, each from where it stands (see `ahead`; spans reused, the hot path).
        if (this.counts(other, input)) {
          const own = input.ahead.get(other);
          if (other.watermark > input.watermark) {
            if (own) own.lo = own.hi = other.watermark;
            else input.ahead.set(other, { lo: other.watermark, hi: other.watermark });
          } else if (own) input.ahead.delete(other);
        }
        if (other.closed || !this.counts(input, other)) continue;
        const span = other.ahead.get(input);
        if (span) {
          if (at < span.lo) span.lo = at;
          if (at > span.hi) span.hi = at;
        }
        // An idle consignment feed whose partition has not stopped follows its own lane's event time only: a
        // partition consumed ahead (a burst of another topic) must not release it past what its lane has shown
        // (`waitsForQuiet`); its caught-up marker saying it stopped lets every input's time count (`caughtUp`).
        const followed = input.lane === other.lane || !this.waitsForQuiet(other);
        const later = followed && at > other.othersSince;
        if (later) other.othersSince = at;
        if (other.idle) {
          if (later) idleMoved = true;
        } else if (this.isDelivering(other)) {
          // Records still pending where it may deliver more: not idle, whatever the others' event time.
        } else if (input.lane !== other.lane && this.waitsForQuiet(other)) {
          // A consignment feed's partition, still counting as delivering: only its own lane's order, or its
          // caught-up marker saying it stopped (`caughtUp`), releases it — never another partition's lead.
        } else if (
          span
            ? span.hi - this.idleMs > (span.lo > other.watermark ? span.lo : other.watermark)
            : at - this.idleMs > other.watermark
        ) {
          other.idle = true;
          idleMoved = true;
        }
      }
    return idleMoved;
  }

  /**
   * Where every input's events count (consignment feeds), whether an input on a Kafka partition is released
   * only by its own lane's order or once the partition's caught-up marker said it stopped delivering (a
   * quiet of `endQuietMs`, `caughtUp`) — not by another partition's event time alone. Records of a
   * programme's topics reach the broker seconds apart (separate systems produce them), so a monitors'
   * partition caught up a moment ago has not stopped: judged idle then, it would raise overdue verifications
   * its next records clear. Inputs without a lane (HTTP) keep the event-time rule; so does a partition once
   * its marker said it stopped, until it delivers again.
   */
  private waitsForQuiet(input: InputClock): boolean {
    return this.idleScope === 'all' && input.lane !== '' && !this.lanes.stopped.has(input.lane);
  }

  /** Whether events of `from` count for the idleness of `to` (its lane's, or every input's; see `idleScope`). */
  private counts(from: InputClock, to: InputClock): boolean {
    return this.idleScope === 'all' || to.lane === '' || to.lane === from.lane;
  }

  /**
   * The producer of `source` says it ended, its coverage reaching `at` (ms; `aidwatch.input.closed.v1`, come
   * by `lane`): see `closeSource`. Returns the source's inputs.
   */
  close(source: string, at: number, lane = ''): InputClock[] {
    return closeSource(this, source, at, lane);
  }

  /**
   * The producer of `source` announces that its events to come are dated no later than `until` (ms;
   * `aidwatch.input.bounded.v1`): see `boundSource`. Returns the source's inputs.
   */
  bound(source: string, until: number): InputClock[] {
    return boundSource(this, source, until);
  }

  /** Notes the inputs that stand ahead of `input` now, each from where it stands (see `ahead`). */
  noteAhead(input: InputClock): void {
    input.ahead.clear();
    for (const other of this.byId.values())
      if (other !== input && other.watermark > input.watermark && this.counts(other, input))
        input.ahead.set(other, { lo: other.watermark, hi: other.watermark });
  }

  /** Inputs that have become idle since last asked (their waiting subjects must follow other inputs now). */
  newlyIdle(): InputClock[] {
    const idle: InputClock[] = [];
    for (const input of this.byId.values()) {
      if (input.released || !this.isIdle(input)) continue;
      input.released = true;
      idle.push(input);
    }
    return idle;
  }

  /**
   * Whether the input may still deliver records already pending (it is never idle then): its lane's newest
   * event came with records pending on the partition — or, where every input's events count (`idleScope`
   * `all`, consignment feeds), any lane's did, since idleness there is judged across the partitions as on
   * one lane.
   */
  isDelivering(input: InputClock): boolean {
    if (this.idleScope === 'all') return this.lanes.delivering.size > 0;
    return input.lane !== '' && this.lanes.delivering.has(input.lane);
  }

  /** Idle, and not held by records pending where it may deliver more (`isDelivering`). */
  isIdle(input: InputClock): boolean {
    return !input.closed && input.idle && !this.isDelivering(input);
  }

  /** The input's watermark, or — idle — the others' event time since its last event minus `idleMs`. */
  effective(input: InputClock): number {
    if (!this.isIdle(input)) return input.watermark;
    const released = input.othersSince - this.idleMs;
    return released > input.watermark ? released : input.watermark;
  }

  /**
   * The input whose (effective) watermark is the subject's clock; undefined without inputs. Open inputs
   * first (the slowest that is not idle, else the latest idle one — but no later than the earliest idle
   * consignment feed whose partition has not stopped: released only as far as its own lane has shown, it may
   * still deliver what the subject waits for, see `waitsForQuiet`); closed ones only when all are closed (the
   * latest of them).
   */
  holding(inputs: readonly InputClock[]): InputClock | undefined {
    let min: InputClock | undefined;
    let latest: InputClock | undefined;
    let latestAt = Number.NEGATIVE_INFINITY;
    let bound: InputClock | undefined;
    let boundAt = Number.POSITIVE_INFINITY;
    let closed: InputClock | undefined;
    for (const input of inputs) {
      if (input.closed) {
        if (!closed || input.watermark > closed.watermark) closed = input;
      } else if (!this.isIdle(input)) {
        if (!min || input.watermark < min.watermark) min = input;
      } else if (!min) {
        const at = this.effective(input);
        if (!latest || at > latestAt) {
          latest = input;
          latestAt = at;
        }
        if (at < boundAt && this.waitsForQuiet(input)) {
          bound = input;
          boundAt = at;
        }
      }
    }
    return min ?? (bound && boundAt < latestAt ? bound : latest) ?? closed;
  }

  /** A subject's clock from the inputs that report it (ms); -Infinity without inputs. */
  clockOf(inputs: readonly InputClock[]): number {
    if (inputs.length === 1) return this.effective(inputs[0]);
    const holding = this.holding(inputs);
    return holding ? this.effective(holding) : Number.NEGATIVE_INFINITY;
  }

  /** Every input, in the order first seen (from the log: deterministic). */
  values(): IterableIterator<InputClock> {
    return this.byId.values();
  }

  /** Every input, by id. */
  all(): InputClock[] {
    return [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  toJSON(): InputClockJson[] {
    return inputClocksToJson(this.byId.values(), this.lanes);
  }

  /** The closed sources, each with the time its coverage ends (ms), for checkpoints. */
  closedSourcesJSON(): Record<string, number> {
    return Object.fromEntries(this.closedSources);
  }

  static fromJSON(
    json: readonly InputClockJson[],
    idleMs: number,
    idleScope: 'lane' | 'all' = 'lane',
    closedSources?: Readonly<Record<string, number>>,
    endQuietMs?: number,
  ): InputClocks {
    const clocks = new InputClocks(idleMs, idleScope, endQuietMs);
    clocks.restore(json, closedSources);
    return clocks;
  }

  /** Sets the inputs saved by `toJSON` (into fresh clocks, keeping their order): see `restoreInputClocks`. */
  restore(json: readonly InputClockJson[], closedSources?: Readonly<Record<string, number>>): void {
    restoreInputClocks(this, json, closedSources);
  }
}
