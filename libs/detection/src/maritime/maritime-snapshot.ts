import type { InputClock, InputClockJson, InputClocks } from '../input-clocks';
import type { MaritimeConfig } from './maritime-config';
import type { MaritimeCounters } from './maritime-counters';
import type { OpenVesselFlags, OpenVesselFlagsJson } from './open-vessel-flags';
import type { PortIndex, PortRecord } from './port-index';
import type { RuleSubjects, VesselRule } from './vessel-rule';
import type { VesselTrack } from './vessel-track';
import type { SubjectKind } from '../checkpoint-subjects';
import { decodeNumbers, encodeNumbers } from './json-numbers';

/**
 * What the snapshot reads and writes of a maritime detector (`MaritimeDetector` is one): its vessels, the
 * rules' per-vessel slots (`rules[slot]` for `track.states[slot]`) and the subjects they keep beyond them
 * (`VesselRule.subjects`) or in the head (`VesselRule.head`), the input clocks and the counters.
 */
export interface MaritimeSnapshotSubject {
  readonly config: MaritimeConfig;
  readonly tracks: Map<string, VesselTrack>;
  readonly ports: PortIndex;
  readonly counters: MaritimeCounters;
  readonly clocks: InputClocks;
  readonly laggingOn: Map<InputClock, Set<VesselTrack>>;
  readonly rules: ReadonlyArray<VesselRule<unknown>>;
  readonly openFlags: OpenVesselFlags;
  newTrack(mmsi: string): VesselTrack;
  reschedule(track: VesselTrack): void;
}

const NUMBER_FIELDS = [
  'lastAt',
  'lastLat',
  'lastLon',
  'lastSog',
  'sampleBucket',
  'lastPortVisitAt',
  'shipType',
  'lastStaticAt',
  'arrivedAt',
  'firstAt',
  'nameSince',
] as const;
const TEXT_FIELDS = ['lastEventId', 'portVisit', 'name', 'imo', 'firstEventId'] as const;

/** One vessel: what was observed of it, and each rule's state of it by rule name (initial states omitted). */
export interface VesselJson {
  mmsi: string;
  numbers: number[];
  texts: Array<string | null>;
  /** The inputs that reported the vessel, by id. */
  inputs: string[];
  lagging: boolean;
  /** The input whose end of delivery ends the lagging vessel's run of reports (absent: its first input). */
  laggingInput?: string;
  /** Names reported before the newest: [event time ms, name], oldest first (absent: never renamed). */
  previousNames?: Array<[number, string]>;
  rules: Record<string, unknown>;
}

/**
 * What is not kept per subject: small and rewritten whole at each checkpoint. Besides the fields below, each
 * rule's head fields (`VesselRule.head`: the encounter rule's `droppedPairs`, the designated-vessel rule's
 * `designations`).
 */
export interface MaritimeHead {
  version: 2;
  cellSizeKm: number;
  counters: MaritimeCounters;
  ports: PortRecord[];
  inputs: InputClockJson[];
  /** Closed sources and the time each ends (ms); absent in older checkpoints (see `InputClocks.restore`). */
  closedSources?: Record<string, number>;
  [ruleField: string]: unknown;
}

/**
 * The maritime state as plain JSON: the head, and one entry per subject — `vessel:<mmsi>` (VesselJson),
 * `imo:<number>` (the MMSI holding it), `voyages:<mmsi>` (a carrier's declared voyages), `flags:<mmsi>` (the
 * vessel's open flags with their drafts, OpenVesselFlagsJson; kept after the vessel is forgotten). NaN and
 * ±Infinity are written as {"$n": "NaN"} so they survive JSON.
 */
export interface MaritimeSnapshot {
  head: MaritimeHead;
  entries: Record<string, unknown>;
}

export function headOf(d: MaritimeSnapshotSubject): MaritimeHead {
  const head: MaritimeHead = {
    version: 2,
    cellSizeKm: d.config.encounter.cellSizeKm,
    counters: d.counters,
    ports: d.ports.all(),
    inputs: d.clocks.toJSON(),
    closedSources: d.clocks.closedSourcesJSON(),
  };
  for (const rule of d.rules) if (rule.head) Object.assign(head, rule.head.toJSON());
  return encodeNumbers(head) as MaritimeHead;
}

function vesselToJson(d: MaritimeSnapshotSubject, track: VesselTrack): VesselJson {
  const rules: Record<string, unknown> = {};
  d.rules.forEach((rule, slot) => {
    const json = rule.toJSON(track.states[slot], track);
    if (json !== undefined) rules[rule.name] = json;
  });
  return {
    mmsi: track.mmsi,
    numbers: NUMBER_FIELDS.map((f) => track[f]),
    texts: TEXT_FIELDS.map((f) => track[f]),
    inputs: (track.inputs ?? (track.input ? [track.input] : [])).map((i) => i.id),
    lagging: track.lagging,
    ...(track.lagging && track.runInput ? { laggingInput: track.runInput.id } : {}),
    ...(track.previousNames ? { previousNames: track.previousNames.map(([at, name]) => [at, name]) } : {}),
    rules,
  };
}

/**
 * The subjects a maritime detector checkpoints one by one, in snapshot order: each rule's own
 * (`VesselRule.subjects`: `imo`, `voyages`), `vessel:<mmsi>` (VesselJson; `changedTracks` holds the vessels
 * changed since last asked, as objects, and is emptied when taken) and `flags:<mmsi>` (OpenVesselFlagsJson).
 */
export function maritimeSubjectKinds(
  d: MaritimeSnapshotSubject,
  changedTracks: Set<VesselTrack>,
): SubjectKind[] {
  const ruleKinds = d.rules.flatMap((rule) => (rule.subjects ? [rule.subjects] : []));
  const vessels: SubjectKind = {
    kind: 'vessel',
    ids: () => d.tracks.keys(),
    entry: (mmsi) => {
      const track = d.tracks.get(mmsi);
      return track ? encodeNumbers(vesselToJson(d, track)) : undefined;
    },
    takeChanged: () => {
      const mmsis = Array.from(changedTracks, (track) => track.mmsi);
      changedTracks.clear();
      return mmsis;
    },
  };
  const flags: SubjectKind = {
    kind: 'flags',
    ids: () => d.openFlags.vessels(),
    entry: (mmsi) => {
      const json = d.openFlags.toJSON(mmsi);
      return json ? encodeNumbers(json) : undefined;
    },
    takeChanged: () => d.openFlags.takeChanged(),
  };
  return [...ruleKinds, vessels, flags];
}

/** Restores a snapshot assembled from a head and entries (whole, or rebuilt from incremental writes). */
export function restoreState(d: MaritimeSnapshotSubject, raw: MaritimeSnapshot): void {
  if (raw?.head?.version !== 2) throw new Error('unsupported maritime snapshot');
  const head = decodeNumbers(raw.head) as MaritimeHead;
  Object.assign(d.counters, head.counters);
  for (const port of head.ports) d.ports.add(port);
  for (const rule of d.rules) rule.head?.restore(head);
  d.clocks.restore(head.inputs, head.closedSources);
  const vessels: VesselJson[] = [];
  const openFlags: OpenVesselFlagsJson[] = [];
  for (const [key, value] of Object.entries(raw.entries)) {
    const colon = key.indexOf(':');
    const kind = key.slice(0, colon);
    const id = key.slice(colon + 1);
    const subjects = subjectsOf(d, kind);
    if (subjects) subjects.restore(id, value);
    else if (kind === 'vessel') vessels.push(decodeNumbers(value) as VesselJson);
    else if (kind === 'flags') openFlags.push(decodeNumbers(value) as OpenVesselFlagsJson);
  }
  // Each vessel's flags keep their order; vessels by MMSI, so the index is the same however entries came.
  const vesselOf = (json: OpenVesselFlagsJson) => json.mmsi ?? json.flags[0]?.draft.mmsi ?? '';
  openFlags.sort((a, b) => (vesselOf(a) < vesselOf(b) ? -1 : 1));
  for (const json of openFlags) d.openFlags.restore(json);
  vessels.sort((a, b) => (a.mmsi < b.mmsi ? -1 : a.mmsi > b.mmsi ? 1 : 0));
  for (const json of vessels) {
    const track = d.newTrack(json.mmsi);
    // Fields added later are missing from older snapshots: they keep their initial values.
    NUMBER_FIELDS.forEach((f, i) => (track[f] = json.numbers[i] ?? track[f]));
    TEXT_FIELDS.forEach(
      (f, i) =>
        ((track as unknown as Record<string, string | null>)[f] =
          json.texts[i] === undefined ? track[f] : json.texts[i]),
    );
    track.lagging = json.lagging;
    if (json.previousNames) track.previousNames = json.previousNames.map(([at, name]) => [at, name]);
    const inputs = json.inputs.map((id) => d.clocks.input(id));
    track.input = inputs[0] ?? null;
    track.inputs = inputs.length > 1 ? inputs : null;
    if (track.lagging) {
      const on = json.laggingInput === undefined ? track.input : d.clocks.input(json.laggingInput);
      track.runInput = on;
      if (on !== null) {
        const runs = d.laggingOn.get(on) ?? new Set<VesselTrack>();
        runs.add(track);
        d.laggingOn.set(on, runs);
      }
    }
    d.tracks.set(track.mmsi, track);
  }
  const resolve = (mmsi: string) => d.tracks.get(mmsi);
  for (const json of vessels) {
    const track = d.tracks.get(json.mmsi) as VesselTrack;
    d.rules.forEach((rule, slot) => {
      track.states[slot] = rule.fromJSON(json.rules[rule.name], track, resolve);
    });
  }
  for (const json of vessels) d.reschedule(d.tracks.get(json.mmsi) as VesselTrack);
}

/** The subjects of kind `kind` (`imo`, `voyages`) some rule keeps beyond the vessels' slots. */
function subjectsOf(d: MaritimeSnapshotSubject, kind: string): RuleSubjects | undefined {
  for (const rule of d.rules) if (rule.subjects?.kind === kind) return rule.subjects;
  return undefined;
}
