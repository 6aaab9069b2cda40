import type { InputClock, InputClocks } from '../input-clocks';
import { InputQueues } from '../input-queues';
import { DeadlineWheel } from './deadline-wheel';
import type { VesselTrack } from './vessel-track';

/** What the vessels' clocks ask of the maritime detector that keeps them. */
export interface VesselClocksOwner {
  /** The vessels kept, by MMSI. */
  readonly tracks: ReadonlyMap<string, VesselTrack>;
  /** The vessel's earliest due time (ms): its rules' due times and its eviction. */
  dueOf(track: VesselTrack): number;
  /** Judges the vessel, whose due time its clock `clock` (ms) has reached. */
  onDue(track: VesselTrack, clock: number): void;
  /** Notes the vessel's state as changed (checkpoints). */
  changed(track: VesselTrack): void;
}

/**
 * Each vessel's clock and due time: the watermark of the AIS inputs that report it (`InputClocks.clockOf`),
 * and the deadline wheel of the input holding that clock back (its home, `VesselTrack.home`), where it
 * waits for its due time. A vessel whose newest report came in lagging (older than its clock minus the late
 * tolerance) waits, in `laggingOn`, for the end of its input's delivery (`endRuns`): its run of reports.
 */
export class VesselClocks {
  /** Per input, the vessels whose clock it holds, by their due times (ms). */
  readonly wheels: InputQueues<VesselTrack, DeadlineWheel<VesselTrack>>;
  /**
   * Per input, the vessels whose newest report came in by it lagging (a backfill: older than their clock minus
   * the late tolerance) and whose run of reports has not ended yet (see `endRuns`).
   */
  readonly laggingOn = new Map<InputClock, Set<VesselTrack>>();

  /** `resolutionMs`: the wheels' bucket width (ms). */
  constructor(
    readonly clocks: InputClocks,
    resolutionMs: number,
    private readonly owner: VesselClocksOwner,
  ) {
    this.wheels = new InputQueues(clocks, () => new DeadlineWheel<VesselTrack>(resolutionMs));
  }

  /** How many deadline buckets wait, over every input's wheel. */
  get pendingBuckets(): number {
    let n = 0;
    for (const wheel of this.wheels.values()) n += wheel.pendingBuckets;
    return n;
  }

  /**
   * The inputs closed (or bounded): the lagging vessels of each have ended their runs, and the vessels waiting
   * in their wheels wait where their clocks are held back now.
   */
  release(inputs: readonly InputClock[]): void {
    for (const input of inputs) this.endRuns(input);
    this.wheels.release(inputs, this.rehome);
  }

  /**
   * Moves the input's watermark for a report at `at` (ms; `lateToleranceMs`, `pending`: see
   * `InputClocks.observe`); returns whether the frontier moved. A time that is not finite moves nothing.
   */
  observe(input: InputClock, at: number, lateToleranceMs: number, pending?: number): boolean {
    return Number.isFinite(at) ? this.clocks.observe(input, at, lateToleranceMs, pending) : false;
  }

  /**
   * After a report is folded in: what came due on its input's clock, and — when the frontier moved
   * (`idleMoved`) — on the clocks of idle inputs, which move with it.
   */
  settle(input: InputClock, idleMoved: boolean): void {
    this.processDue(input);
    if (idleMoved) this.followFrontier(input);
  }

  /** Moves every input's watermark to `watermark` (ms): every run of lagging reports ends, what came due is judged. */
  advanceAll(watermark: number): void {
    for (const input of this.clocks.values()) {
      this.clocks.advance(input, watermark);
      if (watermark > input.delivered) input.delivered = watermark;
    }
    this.endRunsWhere(() => true);
    this.followFrontier();
  }

  /**
   * The source `source` ended at `at` (ms; `aidwatch.input.closed.v1`, come by `lane`): from now on the vessels
   * of its inputs — every Kafka partition its reports came by — are judged on their own clocks, never
   * released to the other inputs' (see `InputClocks.close`). Vessels waiting in their wheels that another,
   * open input also reports follow that input now; what came due is judged. `announced`: the source said
   * beforehand that its events end at `at` (`aidwatch.input.bounded.v1`, see `InputClocks.bound`): closed
   * alike, no watermark moved. A time that is not finite changes nothing.
   */
  closeSource(source: string, at: number, lane?: string, announced = false): void {
    if (!Number.isFinite(at)) return;
    const inputs = announced ? this.clocks.bound(source, at) : this.clocks.close(source, at, lane);
    this.release(inputs);
    for (const input of inputs) this.processDue(input);
  }

  /**
   * Lane `lane` delivered every record its partition held (`aidwatch.partition.caught-up.v1`, see
   * `InputClocks.caughtUp`), having been quiet `quietMs` (ms): vessels waiting on the lane's inputs are judged
   * on the clocks that moved, and — once it has been quiet `runEndQuietMs` (ms) — a vessel replayed behind its
   * input's clock there has ended its run of reports.
   */
  laneCaughtUp(lane: string, quietMs: number, runEndQuietMs: number): void {
    const moved = this.clocks.caughtUp(lane, quietMs);
    if (quietMs >= runEndQuietMs) this.endRunsWhere((input) => input.lane === lane);
    if (moved) this.followFrontier();
  }

  /**
   * The AIS source `source`, reporting over HTTP, UDP or TCP, fell quiet (`aidwatch.input.quiet.v1`): what it
   * delivered so far is all there is for now, so a vessel whose track it replayed behind its clock has ended
   * its run of reports (time model 7). Its inputs on Kafka partitions are not concerned (their partitions'
   * caught-up markers say so).
   */
  sourceQuiet(source: string): void {
    this.endRunsWhere((input) => input.source === source && input.lane === '');
  }

  /** Ends the runs of the lagging vessels of every input that `ended` accepts (see `endRuns`). */
  endRunsWhere(ended: (input: InputClock) => boolean): void {
    for (const input of [...this.laggingOn.keys()]) if (ended(input)) this.endRuns(input);
  }

  /**
   * The frontier moved: vessels waiting on inputs that just became idle follow their other inputs, and idle
   * inputs' clocks moved with the frontier.
   */
  followFrontier(except?: InputClock): void {
    this.wheels.release(this.clocks.newlyIdle(), this.rehome);
    for (const other of this.wheels.inputs())
      if (other !== except && this.wheels.isDue(other)) this.processDue(other);
  }

  /** A vessel taken from the wheel of `from` (idle or closed now) waits where its clock is held back now. */
  readonly rehome = (track: VesselTrack, from: InputClock): void => {
    if (track.home !== from) return;
    track.dueKey = -1;
    this.schedule(track);
  };

  /**
   * The vessel's newest report came in by `input` lagging: until the input's delivery ends (`endRuns`) or its
   * clock moves the late horizon past the moment that report came (`onDue`), nothing is judged missing from its track, so no
   * silence is raised that its next report fills — however the input interleaves other vessels' reports.
   */
  startRun(track: VesselTrack, input: InputClock): void {
    track.lagging = true;
    track.runInput = input;
    let runs = this.laggingOn.get(input);
    if (runs === undefined) this.laggingOn.set(input, (runs = new Set()));
    runs.add(track);
  }

  /**
   * `input` delivered everything it had (it closed or ended, its partition is caught up, its HTTP source fell
   * quiet, or a test moved every clock on): the vessels whose lagging reports came by it have ended their run of
   * reports — a whole track replayed vessel after vessel, or tracks delivered last and interleaved — and are
   * judged on their clocks from now on, "dark now" included, as event-time order judged them when the clock
   * passed their due times.
   */
  endRuns(input: InputClock): void {
    const runs = this.laggingOn.get(input);
    if (runs === undefined) return;
    this.laggingOn.delete(input);
    const homes = new Set<InputClock>();
    for (const track of runs) {
      if (!track.lagging || this.owner.tracks.get(track.mmsi) !== track) continue;
      this.endRun(track);
      const home = this.holdingOf(track);
      if (home !== null) homes.add(home);
    }
    // What came due is judged now: nothing else may move the clocks of a delivery that has ended.
    for (const home of homes) this.processDue(home);
  }

  /** Ends the vessel's run of reports: its due times are judged on its clock from now on. */
  endRun(track: VesselTrack): void {
    this.forgetLagging(track);
    this.owner.changed(track);
    this.scheduleNoLater(track);
  }

  /** The vessel's newest report is no longer lagging: it waits for no input's end of delivery. */
  forgetLagging(track: VesselTrack): void {
    const input = track.runInput;
    if (input !== null) {
      const runs = this.laggingOn.get(input);
      runs?.delete(track);
      if (runs?.size === 0) this.laggingOn.delete(input);
    }
    track.lagging = false;
    track.runInput = null;
  }

  /** Notes that `input` reports the vessel (its clock then depends on that input too). */
  reportedBy(track: VesselTrack, input: InputClock): void {
    track.evictionDeferred = false;
    if (track.input === input) return;
    if (track.input === null) {
      track.input = input;
      return;
    }
    if (track.inputs === null) track.inputs = [track.input, input];
    else if (!track.inputs.includes(input)) track.inputs.push(input);
  }

  /** The vessel's clock: the watermark of the input holding it back (see `InputClocks`). */
  clockOf(track: VesselTrack): number {
    if (track.inputs !== null) return this.clocks.clockOf(track.inputs);
    return track.input ? this.clocks.effective(track.input) : Number.NEGATIVE_INFINITY;
  }

  holdingOf(track: VesselTrack): InputClock | null {
    if (track.inputs !== null) return this.clocks.holding(track.inputs) ?? null;
    return track.input;
  }

  /** Puts the vessel in the wheel of the input holding its clock, at its due time. */
  schedule(track: VesselTrack): void {
    const home = this.holdingOf(track);
    if (home === null) return;
    if (track.home !== home) {
      track.home = home;
      track.dueKey = -1;
    }
    this.wheels.of(home).schedule(track, this.owner.dueOf(track));
  }

  scheduleNoLater(track: VesselTrack): void {
    const home = this.holdingOf(track);
    if (home === null) return;
    if (track.home !== home) this.schedule(track);
    else this.wheels.of(home).scheduleNoLater(track, this.owner.dueOf(track));
  }

  /** Puts the vessel in the deadline wheel at its due time (after a restore). */
  reschedule(track: VesselTrack): void {
    track.dueKey = -1;
    track.home = null;
    this.schedule(track);
  }

  /** Judges the vessels of `input`'s wheel whose due time their clock has reached. */
  processDue(input: InputClock): void {
    const due = this.wheels.takeDue(input);
    if (due.length === 0) return;
    const ready: Array<{ track: VesselTrack; at: number; clock: number }> = [];
    for (const track of due) {
      if (track.home !== input) continue;
      const at = this.owner.dueOf(track);
      const clock = this.clockOf(track);
      if (at <= clock) ready.push({ track, at, clock });
      else this.schedule(track);
    }
    ready.sort(
      (x, y) => x.at - y.at || (x.track.mmsi < y.track.mmsi ? -1 : x.track.mmsi > y.track.mmsi ? 1 : 0),
    );
    for (const { track, clock } of ready) this.owner.onDue(track, clock);
  }

  /**
   * The newest event time the vessel's own inputs delivered themselves (`InputClock.delivered`): never released
   * by idleness, nor moved by a caught-up marker's guess that their partitions passed the time of the source's
   * other partitions (a vessel judged dark on that guess keeps its silence open for its next report to end).
   */
  ownClockOf(track: VesselTrack): number {
    let at = track.input ? track.input.delivered : Number.NEGATIVE_INFINITY;
    for (const input of track.inputs ?? []) if (input.delivered > at) at = input.delivered;
    return at;
  }
}
