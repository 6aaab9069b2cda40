import type { Severity } from '@aidwatch/domain';
import { defaultMidFlagStates } from './mid-flag-states';

/**
 * Thresholds of the maritime rules. Defaults follow Global Fishing Watch's published event definitions
 * where they exist; distances "from a port" are measured from the port's limits (centre minus radius)
 * because AidWatch has declared ports but no coastline.
 */
export interface MaritimeConfig {
  /** Sample-based rules (encounter, loitering, port visits, route) look at one fix per vessel per interval. */
  resampleMinutes: number;
  /**
   * A fix older than the vessel's newest by at most this much is merged; older ones are counted and seen only
   * by the AIS-gap rule (a flagged silence they fall in is split, see docs/time-model.md).
   */
  lateToleranceMinutes: number;
  /** Granularity of the deadline index; flags still carry their exact due time. */
  deadlineResolutionSeconds: number;
  /**
   * A vessel silent this long is forgotten (its gap flag, if any, was raised long before) — this long of the
   * event time its own inputs delivered themselves since its newest report arrived, never of a caught-up
   * marker's guess nor of other inputs' time released to it (docs/time-model.md 7).
   */
  evictAfterDays: number;
  /**
   * An AIS input (feed or station) silent while another input of its lane moved its event time on this far
   * is idle: it no longer holds back the clock of vessels that other inputs report too (Flink's idle
   * sources; satellite AIS runs minutes to hours late; see `InputClocks`).
   */
  inputIdleHours: number;
  /**
   * A Kafka partition whose caught-up marker says it has had no new record for this long (wall time, as
   * the ingestor measured and recorded it in the marker) has stopped delivering: its inputs are idle when
   * any other input, of any partition, stands more than the idle bound ahead (`InputClocks.caughtUp`,
   * docs/time-model.md 5). Shorter quiets only end "records pending" and move each input to what its own
   * source delivered elsewhere. Long enough that a feed delivering late in bursts (satellite AIS, monitors'
   * reports) is not taken for a stopped one between two bursts. One setting for both rule sets.
   */
  inputEndQuietMinutes: number;
  /**
   * A Kafka partition's caught-up marker ends the runs of late reports on it (docs/time-model.md 7) only once
   * the partition has been quiet this long (seconds, as the ingestor measured it; its markers repeat while
   * the quiet lasts): a late batch produced in parts a few seconds apart stays one run, so no silence is
   * judged between its parts. The HTTP/UDP/TCP counterpart is the intake's `HTTP_INPUT_QUIET_MS`.
   */
  runEndQuietSeconds: number;
  /** Raise severity one level when the vessel has aid on board. */
  escalateWithAidOnBoard: boolean;
  /**
   * Open flags kept per vessel with what they were built from, so that they are linked to aid whose
   * paperwork arrives after them and an AIS gap is judged again by a position that arrives late. Beyond
   * this the flag whose episode ended first is no longer judged again (it stays open).
   */
  openFlagsKeptPerVessel: number;
  portVisit: { enterKm: number; exitKm: number; maxSpeedKn: number };
  encounter: {
    maxDistanceM: number;
    minDurationHours: number;
    maxMedianSpeedKn: number;
    minPortDistanceKm: number;
    mergeGapHours: number;
    /** Two vessels' fixes are compared only if taken at most this far apart. */
    maxFixSkewMinutes: number;
    /**
     * How far back in event time (hours) a vessel's slow samples away from port are kept, so that a partner's
     * track arriving that late (another Kafka partition consumed behind, satellite AIS) is still matched
     * against them. A sample more than this behind the newest slow sample of any vessel is counted
     * (`encounterBeyondHorizon`): partners' samples of its time may be gone, so it may go unmatched.
     */
    lateHorizonHours: number;
    /** At most this many samples kept per vessel within the horizon (72 h of 10-minute samples = 432). */
    maxSamplesPerVessel: number;
    speedResolutionKn: number;
    maxActivePairsPerVessel: number;
    cellSizeKm: number;
    severity: Severity;
  };
  loitering: {
    maxSpeedKn: number;
    minDurationHours: number;
    minPortDistanceKm: number;
    /** Reports further apart than this break a run. */
    maxReportGapHours: number;
    /** Consecutive samples at or above the speed that a run survives (speed noise while drifting). */
    toleratedFastSamples: number;
    severity: Severity;
  };
  aisGap: { minGapHours: number; minPortDistanceKm: number; severity: Severity };
  draughtChange: { minChangeM: number; severity: Severity };
  identityChange: {
    impossibleSpeedKn: number;
    /** AIS ship types 40–49 (high-speed craft) legitimately exceed the general limit. */
    highSpeedCraftImpossibleSpeedKn: number;
    minJumpKm: number;
    jumpCooldownHours: number;
    /** One IMO on another MMSI that reported within this window counts as simultaneous use. */
    sharedImoConcurrentHours: number;
    maxRememberedChangesPerVessel: number;
    midFlagStates: Record<string, string>;
    severity: Severity;
    concurrentSeverity: Severity;
  };
  designatedVessel: {
    sightingSeverity: Severity;
    carrierSeverity: Severity;
    partnerSeverity: Severity;
    /** A match by normalised name only (no IMO number or MMSI in common): weaker, so lower. */
    nameMatchSeverity: Severity;
  };
  routeDeviation: {
    corridorNm: number;
    minOutsideMinutes: number;
    /**
     * Declared voyages kept per carrier; past it one is dropped (its corridor no longer judged): one whose aid
     * is done with the vessel first, then one only bound for it, then the oldest (see `RouteDeviationRule`).
     */
    maxVoyagesPerVessel: number;
    maxRoutePoints: number;
    severity: Severity;
    undeclaredPortSeverity: Severity;
    /**
     * How far back (days of event time before the carrier's newest position) paperwork that arrives late
     * has the corridor judged again over the carrier's stored positions (time model 9); older positions
     * are not judged again (counted as `routeReplaysTruncated`).
     */
    replayHorizonDays: number;
    /** At most this many stored position reports are read for one such replay (counted when cut). */
    replayMaxFixes: number;
  };
}

export const defaultMaritimeConfig: MaritimeConfig = {
  resampleMinutes: 10,
  lateToleranceMinutes: 15,
  deadlineResolutionSeconds: 60,
  evictAfterDays: 30,
  inputIdleHours: 6,
  inputEndQuietMinutes: 10,
  runEndQuietSeconds: 30,
  escalateWithAidOnBoard: true,
  openFlagsKeptPerVessel: 64,
  portVisit: { enterKm: 3, exitKm: 4, maxSpeedKn: 0.2 },
  encounter: {
    maxDistanceM: 500,
    minDurationHours: 2,
    maxMedianSpeedKn: 2,
    minPortDistanceKm: 10,
    mergeGapHours: 4,
    maxFixSkewMinutes: 10,
    lateHorizonHours: 72,
    maxSamplesPerVessel: 432,
    speedResolutionKn: 0.1,
    maxActivePairsPerVessel: 16,
    cellSizeKm: 1,
    severity: 'high',
  },
  loitering: {
    maxSpeedKn: 2,
    minDurationHours: 4,
    minPortDistanceKm: 10,
    maxReportGapHours: 2,
    toleratedFastSamples: 1,
    severity: 'medium',
  },
  aisGap: { minGapHours: 12, minPortDistanceKm: 10, severity: 'high' },
  draughtChange: { minChangeM: 0.5, severity: 'medium' },
  identityChange: {
    impossibleSpeedKn: 30,
    highSpeedCraftImpossibleSpeedKn: 60,
    minJumpKm: 2,
    jumpCooldownHours: 6,
    sharedImoConcurrentHours: 24,
    maxRememberedChangesPerVessel: 32,
    midFlagStates: defaultMidFlagStates,
    severity: 'medium',
    concurrentSeverity: 'high',
  },
  designatedVessel: {
    sightingSeverity: 'high',
    carrierSeverity: 'critical',
    partnerSeverity: 'critical',
    nameMatchSeverity: 'medium',
  },
  routeDeviation: {
    corridorNm: 50,
    minOutsideMinutes: 30,
    // More than one organisation may hold consignments aboard (LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL, 100 each):
    // one organisation's registrations naming a vessel must not push another's declared voyage out while its
    // aid is aboard; voyages whose aid is done leave first.
    maxVoyagesPerVessel: 512,
    maxRoutePoints: 256,
    severity: 'high',
    undeclaredPortSeverity: 'high',
    replayHorizonDays: 60,
    replayMaxFixes: 50_000,
  },
};

export type MaritimeConfigOverrides = {
  [K in keyof MaritimeConfig]?: MaritimeConfig[K] extends Record<string, unknown>
    ? Partial<MaritimeConfig[K]>
    : MaritimeConfig[K];
};

/** Defaults with overrides applied section by section; rejects negative or non-finite numbers. */
export function maritimeConfig(overrides: MaritimeConfigOverrides = {}): MaritimeConfig {
  const merged: Record<string, unknown> = { ...defaultMaritimeConfig };
  for (const [key, value] of Object.entries(overrides)) {
    const base = (defaultMaritimeConfig as unknown as Record<string, unknown>)[key];
    merged[key] = isSection(base) && isSection(value) ? { ...base, ...value } : value;
  }
  checkNumbers(merged, '');
  return merged as unknown as MaritimeConfig;
}

const isSection = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkNumbers(section: Record<string, unknown>, path: string): void {
  for (const [key, value] of Object.entries(section)) {
    if (key === 'midFlagStates') continue;
    if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
      throw new Error(`maritime config ${path}${key} must be a finite number >= 0, got ${value}`);
    }
    if (isSection(value)) checkNumbers(value, `${path}${key}.`);
  }
}
