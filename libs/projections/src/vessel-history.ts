import type { PastFix } from '@aidwatch/detection';
import { EventTypes, StreamNames, type CloudEvent, type VesselPositionData } from '@aidwatch/domain';
import { comparePositions, type EventStore, type Position, type StoredEvent } from '@aidwatch/event-store';

const PAGE = 1000;

const timeOf = (e: StoredEvent | undefined): number => {
  const at = (e?.data as CloudEvent<string, { at?: string }> | undefined)?.data?.at;
  return at ? Date.parse(at) : Number.NEGATIVE_INFINITY;
};

/**
 * A vessel's stored position reports for a corridor replay (detection's `VesselHistory`, read from the
 * store): those of stream `vessel-<mmsi>` with event time in [`fromMs`, `toMs`], in stream order, stored no
 * later than `upTo` (the event being handled: only what detection already folded, so a rebuild reads what
 * live detection read), at most `maxCount`. The first revision is found by binary search over event time
 * (reports are stored in roughly time order), then the stream is read forwards a page at a time: the cost
 * follows the replayed window, not the vessel's whole track.
 */
export async function storedPositions(
  store: EventStore,
  mmsi: string,
  fromMs: number,
  toMs: number,
  maxCount: number,
  upTo: Position,
): Promise<PastFix[]> {
  const stream = StreamNames.vessel(mmsi);
  const last = (await store.readStream(stream, { direction: 'backwards', maxCount: 1 }))[0];
  if (!last) return [];
  const at = async (revision: number) =>
    timeOf((await store.readStream(stream, { fromRevision: revision, maxCount: 1 }))[0]);
  // The first revision whose report is not older than fromMs.
  let lo = 0;
  let hi = last.revision + 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((await at(mid)) < fromMs) lo = mid + 1;
    else hi = mid;
  }
  const fixes: PastFix[] = [];
  for (let revision = lo; revision <= last.revision && fixes.length < maxCount; revision += PAGE) {
    const page = await store.readStream(stream, { fromRevision: revision, maxCount: PAGE });
    for (const e of page) {
      if (comparePositions(e.position, upTo) > 0) return fixes;
      if (e.type !== EventTypes.VesselPositionReported) continue;
      const d = (e.data as CloudEvent<string, VesselPositionData>).data;
      const t = Date.parse(d.at);
      if (!(t >= fromMs && t <= toMs)) continue;
      const eventId = (e.data as CloudEvent<string, unknown>).id;
      fixes.push({ at: t, lat: d.lat, lon: d.lon, sog: d.sog ?? NaN, eventId });
      if (fixes.length >= maxCount) return fixes;
    }
    if (page.length < PAGE) break;
  }
  return fixes;
}
