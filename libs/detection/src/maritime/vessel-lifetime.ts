import type { MaritimeCounters } from './maritime-counters';
import type { VesselClocks, VesselClocksOwner } from './vessel-clocks';
import type { VesselRules } from './vessel-rules';
import type { VesselTrack } from './vessel-track';

/** What a vessel's due time and eviction read and move of a maritime detector. */
export interface VesselLifetimeContext {
  /** The vessels kept, by MMSI (an evicted vessel leaves it). */
  readonly tracks: Map<string, VesselTrack>;
  readonly hooks: VesselRules;
  readonly counters: MaritimeCounters;
  /** Notes the vessel's state as changed (checkpoints). */
  changed(track: VesselTrack): void;
}

/**
 * A vessel's due time — the earliest of its rules' due times, the end of its run of lagging reports and the
 * moment it is forgotten — and what happens when its clock reaches it: the rules whose due time passed are
 * judged (`VesselRule.onDue`), a run past the late horizon ends, and a vessel silent for `evictMs` (ms) is
 * forgotten (`VesselRule.onEvict`; counted in `evicted`). `runHorizonMs`: how far (ms, the encounter late
 * horizon) a lagging vessel's clock moves past the moment its newest report came before its run ends.
 */
export class VesselLifetime implements VesselClocksOwner {
  /** Set once, right after construction (the clocks call back into this object). */
  vessels!: VesselClocks;

  constructor(
    private readonly ctx: VesselLifetimeContext,
    private readonly evictMs: number,
    private readonly runHorizonMs: number,
  ) {}

  get tracks(): ReadonlyMap<string, VesselTrack> {
    return this.ctx.tracks;
  }

  changed(track: VesselTrack): void {
    this.ctx.changed(track);
  }

  /** The earliest due time of the vessel's rules, else when it is to be forgotten. */
  dueOf(track: VesselTrack): number {
    const seen = track.lastSeenAt;
    let due = track.evictionDeferred
      ? Number.MAX_SAFE_INTEGER
      : (track.arrivedAt > seen ? track.arrivedAt : seen) + this.evictMs;
    if (track.lagging && track.arrivedAt + this.runHorizonMs < due) due = track.arrivedAt + this.runHorizonMs;
    return this.ctx.hooks.dueAt(track, due);
  }

  onDue(track: VesselTrack, watermark: number): void {
    const vessels = this.vessels;
    this.ctx.changed(track);
    // The late horizon (time model 7, 10): a run whose input's clock moved on this far since its newest report
    // came has ended.
    if (track.lagging && track.arrivedAt + this.runHorizonMs <= watermark) vessels.forgetLagging(track);
    this.ctx.hooks.onDue(track, watermark);
    const seen = track.lastSeenAt;
    const evictAt = (track.arrivedAt > seen ? track.arrivedAt : seen) + this.evictMs;
    if (evictAt <= watermark && evictAt > vessels.ownClockOf(track)) {
      // The clock that reached the eviction time is the others' (every input of this vessel is idle):
      // forgetting now would lose an open silence that a fix still on its way from those inputs ends.
      track.evictionDeferred = true;
    } else if (evictAt <= watermark) {
      this.ctx.hooks.onEvict(track);
      track.dueKey = -1;
      track.home = null;
      vessels.forgetLagging(track);
      this.ctx.tracks.delete(track.mmsi);
      this.ctx.counters.evicted++;
      return;
    }
    vessels.schedule(track);
  }
}
