import type {
  ConsignmentRegisteredData,
  VesselDesignatedData,
  VesselDesignationRevokedData,
  VesselStaticData,
} from '@aidwatch/domain';
import type { PortRecord } from './port-index';
import type { Decisions, Step } from './rule-decision';
import type { VesselFact } from './vessel-fact';
import type { Sample, VesselTrack } from './vessel-track';
import type { SubjectKind } from '../checkpoint-subjects';

export type { VesselFact } from './vessel-fact';

/** One position report as the rules see it (a reused object: read it, never keep it). */
export interface Fix {
  at: number;
  lat: number;
  lon: number;
  /** Reported speed over ground (knots), NaN when AIS says "not available". */
  sog: number;
  eventId: string;
}

/**
 * A fact that is no one vessel's report, told to every rule in list order through `onShared` (times in ms,
 * `eventId` the event that brought it); a rule tells the vessels it concerns with a `tell` decision:
 * - `designated`: a vessel designation (`aidwatch.vessel.designated.v1`) dated `at`;
 * - `designation-revoked`: a delisting (`aidwatch.vessel.designation-revoked.v1`) dated `at`;
 * - `consignment-registered`: a consignment's registration naming its carrier and declared voyage.
 */
export type SharedFact =
  | {
      readonly kind: 'designated';
      readonly data: VesselDesignatedData;
      readonly eventId: string;
      readonly at: number;
    }
  | { readonly kind: 'designation-revoked'; readonly data: VesselDesignationRevokedData; readonly at: number }
  | {
      readonly kind: 'consignment-registered';
      readonly data: ConsignmentRegisteredData;
      readonly eventId: string;
      readonly at: number;
    };

/** Which samples a rule reads the nearest port of (see `VesselRule.portSearch`). */
export interface PortSearch {
  /** Samples slower than this (knots). */
  readonly belowKn: number;
  /** Ports within this distance (km) of the sample. */
  readonly withinKm: number;
}

/**
 * State a rule keeps outside any one vessel that is small enough to be written whole with every checkpoint
 * (a designation list, a count): its fields sit at the top level of the maritime head (`MaritimeHead`).
 */
export interface RuleHead {
  /** The rule's head fields (plain JSON, names unique across rules). */
  toJSON(): Record<string, unknown>;
  /** Restores them from a head (fields missing in older checkpoints keep their initial values). */
  restore(head: Readonly<Record<string, unknown>>): void;
}

/**
 * Subjects a rule keeps beyond the vessels' slots (IMO numbers' holders, carriers' declared voyages), each
 * checkpointed under its own key `<kind>:<id>`.
 */
export interface RuleSubjects extends SubjectKind {
  /** The key prefix of its subjects (`imo`, `voyages`). */
  readonly kind: string;
  /** The ids of the subjects changed since last asked. */
  takeChanged(): Iterable<string>;
  /** Restores a subject from its entry (before any vessel is restored). */
  restore(id: string, entry: unknown): void;
}

/**
 * A maritime rule with its own state per vessel, in the decider shape (`initialState`, `evolve`, a due time,
 * a snapshot): the detector keeps one state per rule in each vessel's slots and calls the hooks in a fixed
 * order. A hook gets the vessel (what was observed: newest fix, reported identity, port visit — read only)
 * and this rule's state of it, and returns the next state with the flag decisions of that step (`Step`:
 * the state alone when it decided nothing, else `Decided`); the detector applies them in order before the
 * next hook runs. A rule names the flags it raised by fingerprint and reads the open ones through
 * `MaritimeContext.openFlags` (read only). Hooks run in event time only; none reads the wall clock.
 */
export interface VesselRule<S> {
  /** Name of the rule's state in snapshots. */
  readonly name: string;
  /** State of a vessel the rule has nothing about yet (kept as null-like as possible: most vessels stay so). */
  initialState(): S;
  /** A fix newer than the vessel's newest; called before the vessel's newest fix moves to it. */
  onFix?(vessel: VesselTrack, state: S, fix: Fix): Step<S>;
  /**
   * A fix older than the vessel's newest, however late (before the late tolerance is applied), from input
   * `source` (see `InputClocks`); it never moves the vessel.
   */
  onPastFix?(vessel: VesselTrack, state: S, fix: Fix, source: string): Step<S>;
  /** A fix not newer than the vessel's newest, within the late tolerance; it never moves the vessel. */
  onLateFix?(vessel: VesselTrack, state: S, fix: Fix): Step<S>;
  /** The vessel's first sample in a resampling interval (after its newest fix moved). */
  onSample?(vessel: VesselTrack, state: S, sample: Sample): Step<S>;
  /** The vessel began a port visit at `port` with this sample (before `onSample`). */
  onPortVisit?(vessel: VesselTrack, state: S, port: PortRecord, sample: Sample): Step<S>;
  /** A static report no older than the vessel's newest (the vessel's reported identity already updated). */
  onStatic?(vessel: VesselTrack, state: S, data: VesselStaticData, at: number, eventId: string): Step<S>;
  /** A fact about the vessel beyond its own reports (see `VesselFact`). */
  onFact?(vessel: VesselTrack, state: S, fact: VesselFact): Step<S>;
  /**
   * A fact that is no one vessel's report (see `SharedFact`); returns its decisions (`tell` for the vessels it
   * concerns), undefined for none.
   */
  onShared?(fact: SharedFact): Decisions;
  /**
   * Whether `dueAt`/`onDue` still run while the vessel lags its clock (its newest fix came in older than the
   * clock minus the late tolerance: its track replayed behind the input's clock) — until its run of reports
   * ends (the input's delivery ends — close, bounded end, caught-up or quiet marker — or the late horizon
   * passes), when every rule's due time is judged. Rules
   * judging "dark now" must not (the fixes may still be on their way); a rule that only closes an episode may.
   */
  readonly judgedWhenLagging?: boolean;
  /**
   * For a rule that reads a sample's nearest port (`Sample.portKm`, `portName`): the samples it reads it on,
   * those slower than `belowKn` (knots) and within `withinKm` (km) of a port. A sample looks for its nearest
   * port only when it is slower than the fastest speed any rule (or the port visit) declares, or a rule keeps an
   * open sample state, and only within the farthest distance any declares; otherwise its `portKm` is `Infinity`
   * and `portName` null, as if no port were near (see `VesselReports`).
   */
  readonly portSearch?: PortSearch;
  /** Event time (ms) at which the rule must look at the vessel again with no new report; NaN for never. */
  dueAt?(vessel: VesselTrack, state: S): number;
  /** The vessel's clock passed `dueAt`. */
  onDue?(vessel: VesselTrack, state: S, dueAt: number): Step<S>;
  /** The vessel is forgotten (silent for the eviction period); returns its decisions, undefined for none. */
  onEvict?(vessel: VesselTrack, state: S): Decisions;
  /** Subjects the rule keeps beyond the vessels' slots, checkpointed under their own keys. */
  readonly subjects?: RuleSubjects;
  /** State the rule keeps outside the vessels, written whole in the checkpoint's head. */
  readonly head?: RuleHead;
  /** Figures for `MaritimeDetector.stats()` (names unique across rules). */
  stats?(): Record<string, number>;
  /**
   * Tells the rule its state's slot in each vessel (`VesselTrack.states[slot]`), once, before any hook runs:
   * for a rule whose state links vessels (an encounter's pair) and that reads or writes another vessel's.
   */
  bind?(slot: number): void;
  /** Plain JSON of a vessel's state (undefined for the initial state: nothing stored). */
  toJSON(state: S, vessel: VesselTrack): unknown;
  /** The inverse of `toJSON`; `resolve` finds other vessels by MMSI (restored before any state). */
  fromJSON(json: unknown, vessel: VesselTrack, resolve: (mmsi: string) => VesselTrack | undefined): S;
}
