import type { AisGapEpisode } from './ais-gap.rule';
import type { Designation } from './designated-vessel.rule';
import type { EncounterPair } from './encounter.rule';
import type { ImoHolder } from './identity-change.rule';
import type { LoiterRun } from './loitering.rule';
import type { MaritimeCounters, MaritimeDetector } from './maritime-detector';
import type { PortRecord } from './port-index';
import type { DeclaredVoyage } from './route-deviation.rule';
import { VesselTrack } from './vessel-track';

const NUMBER_FIELDS = [
  'lastAt',
  'lastLat',
  'lastLon',
  'lastSog',
  'sampleBucket',
  'lastPortVisitAt',
  'shipType',
  'lastStaticAt',
  'draught',
  'draughtAt',
  'lastJumpAt',
] as const;
const TEXT_FIELDS = [
  'lastEventId',
  'portVisit',
  'name',
  'callsign',
  'imo',
  'flag',
  'draughtEventId',
  'designatedKey',
] as const;

interface TrackJson {
  mmsi: string;
  numbers: number[];
  texts: Array<string | null>;
  identityKeys: string[] | null;
  gap: AisGapEpisode | null;
  loiter: LoiterRun | null;
  pairs: number[] | null;
  cellId: number;
  dueKey: number;
}

interface PairJson extends Omit<EncounterPair, 'a' | 'b' | 'speeds'> {
  a: string;
  b: string;
  speeds: number[];
}

export interface MaritimeSnapshot {
  version: 1;
  cellSizeKm: number;
  deadlineResolutionMs: number;
  counters: MaritimeCounters;
  droppedPairs: number;
  ports: PortRecord[];
  designations: Designation[];
  imoHolders: Array<[string, ImoHolder]>;
  voyages: Array<[string, DeclaredVoyage[]]>;
  pairs: PairJson[];
  tracks: TrackJson[];
}

/** Plain JSON of the whole maritime state; NaN and ±Infinity become {"$n": "NaN"} so they survive JSON. */
export function snapshotState(d: MaritimeDetector): MaritimeSnapshot {
  const pairIndex = new Map<EncounterPair, number>();
  const pairs: PairJson[] = [];
  const tracks: TrackJson[] = [];
  for (const track of d.tracks.values()) {
    for (const pair of track.pairs ?? []) {
      if (pairIndex.has(pair)) continue;
      pairIndex.set(pair, pairs.length);
      pairs.push({ ...pair, a: pair.a.mmsi, b: pair.b.mmsi, speeds: Array.from(pair.speeds) });
    }
    tracks.push({
      mmsi: track.mmsi,
      numbers: NUMBER_FIELDS.map((f) => track[f]),
      texts: TEXT_FIELDS.map((f) => track[f]),
      identityKeys: track.identityKeys,
      gap: track.gap,
      loiter: track.loiter,
      pairs: track.pairs ? track.pairs.map((p) => pairIndex.get(p) as number) : null,
      cellId: track.cellId,
      dueKey: track.dueKey,
    });
  }
  return encodeNumbers({
    version: 1,
    cellSizeKm: d.config.encounter.cellSizeKm,
    deadlineResolutionMs: d.config.deadlineResolutionSeconds * 1000,
    counters: d.counters,
    droppedPairs: d.encounter.droppedPairs,
    ports: d.ports.all(),
    designations: d.designatedVessel.list(),
    imoHolders: [...d.identityChange.imoHolders],
    voyages: [...d.routeDeviation.voyagesByMmsi],
    pairs,
    tracks,
  }) as MaritimeSnapshot;
}

export function restoreState(d: MaritimeDetector, raw: MaritimeSnapshot): void {
  const snap = decodeNumbers(raw) as MaritimeSnapshot;
  if (snap?.version !== 1) throw new Error('unsupported maritime snapshot');
  Object.assign(d.counters, snap.counters);
  d.encounter.droppedPairs = snap.droppedPairs;
  for (const port of snap.ports) d.ports.add(port);
  for (const designation of snap.designations) d.designatedVessel.restore(designation);
  for (const [imo, holder] of snap.imoHolders) d.identityChange.imoHolders.set(imo, holder);
  for (const [mmsi, voyages] of snap.voyages) d.routeDeviation.voyagesByMmsi.set(mmsi, voyages);
  const sameCells = snap.cellSizeKm === d.config.encounter.cellSizeKm;
  for (const json of snap.tracks) {
    const track = new VesselTrack(json.mmsi);
    NUMBER_FIELDS.forEach((f, i) => (track[f] = json.numbers[i]));
    TEXT_FIELDS.forEach((f, i) => ((track as unknown as Record<string, string | null>)[f] = json.texts[i]));
    track.identityKeys = json.identityKeys;
    track.gap = json.gap;
    track.loiter = json.loiter;
    track.voyages = d.routeDeviation.voyagesByMmsi.get(json.mmsi) ?? null;
    d.tracks.set(track.mmsi, track);
    if (json.cellId >= 0) {
      if (sameCells) d.encounter.grid.placeInCell(track, json.cellId);
      else d.encounter.grid.place(track, track.lastLat, track.lastLon);
    }
    if (json.dueKey >= 0) d.wheel.schedule(track, json.dueKey * snap.deadlineResolutionMs);
  }
  const pairs = snap.pairs.map((p): EncounterPair => ({
    ...p,
    a: d.tracks.get(p.a) as VesselTrack,
    b: d.tracks.get(p.b) as VesselTrack,
    speeds: Uint16Array.from(p.speeds),
  }));
  d.encounter.activePairs = pairs.length;
  for (const json of snap.tracks) {
    if (json.pairs) (d.tracks.get(json.mmsi) as VesselTrack).pairs = json.pairs.map((i) => pairs[i]);
  }
}

function encodeNumbers(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $n: String(value) };
  if (Array.isArray(value)) return value.map(encodeNumbers);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeNumbers(v);
    return out;
  }
  return value;
}

function decodeNumbers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeNumbers);
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.$n === 'string' && Object.keys(o).length === 1) return Number(o.$n);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = decodeNumbers(v);
    return out;
  }
  return value;
}
