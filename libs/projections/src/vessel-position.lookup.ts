import type { GeoPoint } from '@aidwatch/alerts';
import {
  EventTypes,
  StreamNames,
  type CloudEvent,
  type VesselPositionData,
  type VesselStaticData,
} from '@aidwatch/domain';
import type { EventStore } from '@aidwatch/event-store';

/**
 * Where a vessel was at event time `at`: its last position report at or before `at` (else its first),
 * found by binary search over its stream's revisions (reports arrive in roughly time order), so a
 * lookup reads O(log n) events instead of the whole track.
 */
export async function vesselPositionAt(
  store: EventStore,
  mmsi: string,
  at: string,
): Promise<GeoPoint | undefined> {
  const stream = StreamNames.vessel(mmsi);
  const last = (await store.readStream(stream, { direction: 'backwards', maxCount: 1 }))[0];
  if (!last) return undefined;
  const t = Date.parse(at);
  const timeOf = async (revision: number) => {
    const e = (await store.readStream(stream, { fromRevision: revision, maxCount: 1 }))[0];
    const d = (e?.data as CloudEvent<string, { at?: string }> | undefined)?.data;
    return d?.at ? Date.parse(d.at) : Number.NEGATIVE_INFINITY;
  };
  let lo = 0;
  let hi = last.revision;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((await timeOf(mid)) <= t) lo = mid;
    else hi = mid - 1;
  }
  // The nearest position report at or before that revision (static reports carry no position).
  const window = (await store.readStream(stream, { fromRevision: Math.max(0, lo - 20), maxCount: 21 }))
    .filter((e) => e.type === EventTypes.VesselPositionReported)
    .map((e) => ({ revision: e.revision, p: (e.data as CloudEvent<string, VesselPositionData>).data }));
  const p = (window.filter((w) => w.revision <= lo).at(-1) ?? window[0])?.p;
  return p ? { lat: p.lat, lon: p.lon } : undefined;
}

/** At most this many fixes in a track an answer carries (a map draws no more). */
export const MAX_TRACK_POINTS = 600;

/** What a vessel's stream tells: its positions as `[lon, lat, time]` and its newest static report. */
export interface VesselStreamSummary {
  /** `[lon, lat, RFC 3339 time]`, oldest first, thinned evenly to at most MAX_TRACK_POINTS (the last kept). */
  track: Array<[number, number, string]>;
  /** Name, IMO number, call sign and flag state from the newest static report (AIS type 5/24), if any. */
  identity: Partial<Pick<VesselStaticData, 'name' | 'imo' | 'callsign' | 'flag'>>;
  /**
   * The names the vessel has reported, oldest first: each with `from`, the event time (RFC 3339) of the
   * first static report that gave it. A name reported again after another one starts a new entry.
   */
  names: VesselName[];
}

/** A name a vessel reported in AIS static data, from `from` (RFC 3339 event time) until the next entry. */
export interface VesselName {
  name: string;
  from: string;
}

/**
 * The name a vessel used at event time `at` (RFC 3339): the newest entry of `names` (oldest first) from
 * at or before `at`; the first name when `at` precedes them all; undefined when none is known.
 */
export function vesselNameAt(names: readonly VesselName[], at: string): string | undefined {
  let current: string | undefined = names[0]?.name;
  for (const n of names) if (n.from <= at) current = n.name;
  return current;
}

/**
 * Reads a vessel's stream (`vessel-<mmsi>`) into its track and its newest reported identity. `visible`
 * (event time, ms → whether the reader may see it; default every time) keeps only the positions and
 * static reports of the times a reader may see, before the track is thinned.
 */
export async function vesselStreamSummary(
  store: EventStore,
  mmsi: string,
  visible: (atMs: number) => boolean = () => true,
): Promise<VesselStreamSummary> {
  const events = await store.readStream(StreamNames.vessel(mmsi));
  const identity: VesselStreamSummary['identity'] = {};
  let identityAt = '';
  const points: Array<[number, number, string]> = [];
  const reported: VesselName[] = [];
  for (const e of events) {
    if (e.type === EventTypes.VesselPositionReported) {
      const p = (e.data as CloudEvent<string, VesselPositionData>).data;
      if (visible(Date.parse(p.at))) points.push([p.lon, p.lat, p.at]);
    } else if (e.type === EventTypes.VesselStaticReported) {
      const s = (e.data as CloudEvent<string, VesselStaticData>).data;
      if (!visible(Date.parse(s.at))) continue;
      if (s.name) reported.push({ name: s.name, from: s.at });
      if (s.at < identityAt) continue;
      identityAt = s.at;
      for (const k of ['name', 'imo', 'callsign', 'flag'] as const) if (s[k]) identity[k] = s[k];
    }
  }
  points.sort((a, b) => a[2].localeCompare(b[2]));
  // Static reports may arrive out of event-time order: sort, then keep where the name changes.
  const names = reported
    .sort((a, b) => a.from.localeCompare(b.from))
    .filter((n, i, all) => i === 0 || all[i - 1].name !== n.name);
  if (points.length <= MAX_TRACK_POINTS) return { track: points, identity, names };
  const step = points.length / MAX_TRACK_POINTS;
  const thinned = Array.from({ length: MAX_TRACK_POINTS }, (_, i) => points[Math.floor(i * step)]);
  thinned.push(points[points.length - 1]);
  return { track: thinned, identity, names };
}
