import type { InputClock } from '../input-clocks';
import type { Scheduled } from './deadline-wheel';

/**
 * What was observed of one vessel, shared read-only by the rules: the newest fix, the reported identity (for
 * labels and list matching) and the port visit derived from the samples. Each rule keeps its own state of
 * the vessel in `states` (slot = the rule's place in the detector). Numbers start as NaN (never undefined)
 * so V8 keeps them as unboxed-in-place doubles.
 */
/** Earlier names kept per vessel (`VesselTrack.previousNames`). */
export const NAME_HISTORY = 8;

export class VesselTrack implements Scheduled {
  lastAt = NaN;
  lastLat = NaN;
  lastLon = NaN;
  lastSog = NaN;
  lastEventId = '';
  sampleBucket = -1;
  /** The vessel's first report (position or static) since it was last forgotten: time (ms) and event id. */
  firstAt = NaN;
  firstEventId = '';

  portVisit: string | null = null;
  lastPortVisitAt = NaN;

  /** Newest reported name and IMO number (normalised), and ship type. */
  name: string | null = null;
  /** Event time (ms) of the report that first gave the newest name; NaN when unknown (no name, older snapshot). */
  nameSince = NaN;
  /**
   * The names reported before the newest, oldest first, each with the event time (ms) it was first reported;
   * null until the vessel is renamed. At most `NAME_HISTORY` kept (identity changes are rare; a flag older
   * than the oldest kept reads the oldest).
   */
  previousNames: Array<[number, string]> | null = null;
  imo: string | null = null;
  shipType = NaN;
  lastStaticAt = NaN;

  /** The inputs that reported the vessel: the first, and all of them once there are several. */
  input: InputClock | null = null;
  inputs: InputClock[] | null = null;
  /** The input whose deadline wheel holds the vessel. */
  home: InputClock | null = null;
  /** The vessel's clock when its newest report arrived (ms): eviction counts from the later of this and `lastSeenAt`. */
  arrivedAt = NaN;
  /** Its newest fix was older than its clock minus the late tolerance: silences are judged fix to fix only. */
  lagging = false;
  /** While `lagging`: the input whose end of delivery ends the vessel's run of reports (see `MaritimeDetector`). */
  runInput: InputClock | null = null;
  /**
   * Eviction is due by a clock its own inputs have not reached (they are idle, released by the others' event
   * time): it waits for their next event, so a fix that input still delivers finds the vessel's state.
   */
  evictionDeferred = false;

  /** One state per rule, by the rule's slot. */
  readonly states: unknown[];

  dueKey = -1;

  constructor(
    readonly mmsi: string,
    states: unknown[],
  ) {
    this.states = states;
  }

  /** Records a name reported at `at` (ms; reports come in event-time order per vessel). */
  reportName(name: string, at: number): void {
    if (name === this.name) {
      if (!(this.nameSince <= at)) this.nameSince = at;
      return;
    }
    if (this.name !== null) {
      const previous = (this.previousNames ??= []);
      previous.push([this.nameSince, this.name]);
      if (previous.length > NAME_HISTORY) previous.shift();
    }
    this.name = name;
    this.nameSince = at;
  }

  /** The name in effect at `at` (ms): the newest reported at or before it; null when none was reported by then. */
  nameAt(at: number): string | null {
    if (!(at < this.nameSince)) return this.name;
    const previous = this.previousNames;
    if (previous === null) return null;
    for (let i = previous.length - 1; i >= 0; i--) if (!(at < previous[i][0])) return previous[i][1];
    return previous.length === NAME_HISTORY ? previous[0][1] : null;
  }

  get lastSeenAt(): number {
    if (Number.isNaN(this.lastAt)) return this.lastStaticAt;
    if (Number.isNaN(this.lastStaticAt)) return this.lastAt;
    return Math.max(this.lastAt, this.lastStaticAt);
  }

  hasFix(): boolean {
    return !Number.isNaN(this.lastAt);
  }
}

/** The sampled fix the sample-based rules look at (one per vessel per resample interval). */
export interface Sample {
  at: number;
  lat: number;
  lon: number;
  /** Reported speed over ground, or the implied speed when AIS says "not available". */
  sog: number;
  eventId: string;
  /** Distance from the nearest port's limits within the search radius, Infinity when none is that close. */
  portKm: number;
  portName: string | null;
}
