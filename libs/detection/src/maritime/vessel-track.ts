import type { AisGapEpisode } from './ais-gap.rule';
import type { Scheduled } from './deadline-wheel';
import type { EncounterPair } from './encounter.rule';
import type { LoiterRun } from './loitering.rule';
import type { DeclaredVoyage } from './route-deviation.rule';
import type { GridMember } from './vessel-cell-grid';

/**
 * Everything kept about one vessel: the newest fix, a few rolling summaries, and rule episodes only while
 * they are open. Numbers start as NaN (never undefined) so V8 keeps them as unboxed-in-place doubles.
 */
export class VesselTrack implements GridMember, Scheduled {
  lastAt = NaN;
  lastLat = NaN;
  lastLon = NaN;
  lastSog = NaN;
  lastEventId = '';
  sampleBucket = -1;

  portVisit: string | null = null;
  lastPortVisitAt = NaN;

  name: string | null = null;
  callsign: string | null = null;
  imo: string | null = null;
  flag: string | null = null;
  shipType = NaN;
  lastStaticAt = NaN;
  draught = NaN;
  draughtAt = NaN;
  draughtEventId: string | null = null;
  /** Identity problems already raised (bounded), so alternating values do not raise again and again. */
  identityKeys: string[] | null = null;
  lastJumpAt = NaN;
  designatedKey: string | null = null;

  gap: AisGapEpisode | null = null;
  loiter: LoiterRun | null = null;
  pairs: EncounterPair[] | null = null;
  voyages: DeclaredVoyage[] | null = null;

  cellId = -1;
  cellSlot = -1;
  dueKey = -1;

  constructor(readonly mmsi: string) {}

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
