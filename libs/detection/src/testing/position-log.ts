import { EventTypes, type AidEvent } from '@aidwatch/domain';
import type { PastFix, VesselHistory } from '../maritime/maritime-detector';

/**
 * The position reports fed to an engine so far, per vessel in the order they were fed: the `VesselHistory`
 * of an in-memory run (tests, simulations). Record each event after the engine handled it and before the
 * corridor replays it asks for are run, so a replay reads only events already folded.
 */
export class PositionLog implements VesselHistory {
  private readonly byVessel = new Map<string, PastFix[]>();

  record(event: AidEvent): void {
    if (event.type !== EventTypes.VesselPositionReported) return;
    const d = event.data;
    let fixes = this.byVessel.get(d.mmsi);
    if (!fixes) this.byVessel.set(d.mmsi, (fixes = []));
    fixes.push({ at: Date.parse(d.at), lat: d.lat, lon: d.lon, sog: d.sog ?? NaN, eventId: event.id });
  }

  *positions(mmsi: string, fromMs: number, toMs: number, maxCount: number): Iterable<PastFix> {
    let n = 0;
    for (const f of this.byVessel.get(mmsi) ?? []) {
      if (f.at < fromMs || f.at > toMs) continue;
      if (n++ >= maxCount) return;
      yield f;
    }
  }
}
