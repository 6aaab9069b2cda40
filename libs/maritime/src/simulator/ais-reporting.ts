// Reporting intervals of a class A transponder, ITU-R M.1371-5 Annex 1, table 1. The faster "changing course"
// rates (3⅓ s and 2 s) are not modelled: simulated vessels hold their course between waypoints.

export const NavStatus = { UnderWayUsingEngine: 0, AtAnchor: 1, Moored: 5 } as const;

const SECOND = 1000;

export function classAReportingIntervalMs(sogKn: number, navStatus: number): number {
  const anchoredOrMoored = navStatus === NavStatus.AtAnchor || navStatus === NavStatus.Moored;
  if (anchoredOrMoored && sogKn <= 3) return 180 * SECOND;
  if (sogKn > 23) return 2 * SECOND;
  if (sogKn > 14) return 6 * SECOND;
  return 10 * SECOND;
}

/** Static and voyage related data (message 5) every 6 minutes. */
export const STATIC_REPORT_INTERVAL_MS = 360 * SECOND;
