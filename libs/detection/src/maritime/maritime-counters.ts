/** What a maritime detector counted since it started (or was restored), kept in its snapshot. */
export interface MaritimeCounters {
  positions: number;
  statics: number;
  invalid: number;
  duplicates: number;
  lateMerged: number;
  /** Fixes older than the vessel's newest by more than the late tolerance: no rule but the AIS gap sees them. */
  lateDropped: number;
  /** Late fixes that fell inside an open AIS gap of their vessel and judged it again. */
  lateInGap: number;
  lateStatics: number;
  evicted: number;
  /** Corridor replays run because paperwork arrived after the carrier's positions (time model 9). */
  routeReplays: number;
  /** Samples judged again in those replays. */
  routeReplaySamples: number;
  /** Replays cut by the horizon or the report limit: positions older, or beyond the limit, not judged again. */
  routeReplaysTruncated: number;
}

/** Every counter at zero. */
export const newMaritimeCounters = (): MaritimeCounters => ({
  positions: 0,
  statics: 0,
  invalid: 0,
  duplicates: 0,
  lateMerged: 0,
  lateDropped: 0,
  lateInGap: 0,
  lateStatics: 0,
  evicted: 0,
  routeReplays: 0,
  routeReplaySamples: 0,
  routeReplaysTruncated: 0,
});
