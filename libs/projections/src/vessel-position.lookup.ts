import type { GeoPoint } from '@aidwatch/alerts';
import { EventTypes, StreamNames, type CloudEvent, type VesselPositionData } from '@aidwatch/domain';
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
