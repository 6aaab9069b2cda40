/**
 * When a consignment's aid is aboard a vessel, as detection judges it: the one rule both detection (which
 * names the aid aboard in every vessel flag, `consignmentsOnBoard`) and the per-organisation limit on
 * consignments aboard one vessel (`TenantUsage`, `LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL`) read, so the limit
 * counts exactly what detection will name.
 *
 * Times are event times in ms since the epoch (`data.at`, else the envelope's `time`: `eventTimeOf`).
 */

/** What `aboardWindow` reads of one consignment's facts; each iterable is read at most once a call. */
export interface AboardFacts {
  /** The vessel named by the registration in force (a load without a vessel is taken to be onto it). */
  registeredMmsi?: string;
  loads: Iterable<{ time: number; vesselMmsi?: string }>;
  departures: Iterable<{ time: number }>;
  discharges: Iterable<{ time: number }>;
}

/** A half-open interval of event time `[from, to)`, ms; `to` is +Infinity while still aboard. */
export interface AboardWindow {
  from: number;
  to: number;
}

/**
 * When the consignment came aboard `mmsi` (ms): its earliest load onto that vessel, else — with no load
 * reported at all — its earliest departure when registered on `mmsi`; +Infinity when neither is known.
 */
export function aboardSince(facts: AboardFacts, mmsi: string): number {
  let since = Number.POSITIVE_INFINITY;
  let loaded = false;
  for (const l of facts.loads) {
    loaded = true;
    if ((l.vesselMmsi || facts.registeredMmsi) === mmsi && l.time < since) since = l.time;
  }
  if (!loaded && facts.registeredMmsi === mmsi)
    for (const d of facts.departures) if (d.time < since) since = d.time;
  return since;
}

/**
 * The window in which the consignment is aboard `mmsi`: from `aboardSince` to its first discharge dated at or
 * after that (a discharge dated before the aid came aboard closes nothing; custody transfers and deliveries
 * close nothing either — the aid left the ship only when it was discharged); undefined when it never came
 * aboard. A consignment loaded onto a second vessel stays aboard the first until discharged from it.
 */
export function aboardWindow(facts: AboardFacts, mmsi: string): AboardWindow | undefined {
  const from = aboardSince(facts, mmsi);
  if (from === Number.POSITIVE_INFINITY) return undefined;
  let to = Number.POSITIVE_INFINITY;
  for (const d of facts.discharges) if (d.time >= from && d.time < to) to = d.time;
  return { from, to };
}

/**
 * A consignment's standing with a vessel: `aboard` (its `aboardWindow` is open), `bound` (registered on it, not
 * yet aboard, nothing discharged, handed over or delivered) or `done` (its window closed, or it is registered
 * elsewhere and never came aboard, or it was discharged, handed over or delivered without coming aboard).
 */
export type CarriageStanding = 'aboard' | 'bound' | 'done';

/**
 * `facts`' standing with vessel `mmsi` (`CarriageStanding`); `ended`: a discharge, custody transfer or
 * delivery of it is recorded. Detection keeps declared voyages by it; the per-vessel limit counts by it.
 */
export function carriageStanding(facts: AboardFacts, mmsi: string, ended: boolean): CarriageStanding {
  const window = aboardWindow(facts, mmsi);
  if (window !== undefined) return window.to === Number.POSITIVE_INFINITY ? 'aboard' : 'done';
  return facts.registeredMmsi === mmsi && !ended ? 'bound' : 'done';
}

/** When an inbound event happened (ms): `data.at` where it has a parseable one, else its envelope `time`. */
export function eventTimeOf(event: { time: string; data?: unknown }): number {
  const at = (event.data as { at?: unknown } | undefined)?.at;
  const parsed = typeof at === 'string' ? Date.parse(at) : NaN;
  return Number.isNaN(parsed) ? Date.parse(event.time) : parsed;
}

/**
 * The most consignments aboard at one moment, over all time, given each one's window (`aboardWindow`), with
 * `boundForLater` more that will come aboard after every window's start (consignments bound for the vessel:
 * registered on it, not yet aboard nor done) — counted with the windows still open. Windows are half-open: one
 * ending when another starts does not overlap it.
 */
export function mostAboardAtOnce(windows: Iterable<AboardWindow>, boundForLater = 0): number {
  const edges: Array<[number, number]> = [];
  for (const w of windows) {
    if (!(w.to > w.from)) continue;
    edges.push([w.from, 1]);
    if (w.to !== Number.POSITIVE_INFINITY) edges.push([w.to, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, step] of edges) {
    now += step;
    if (now > most) most = now;
  }
  // `now` is what is still aboard after the last edge: the windows still open.
  return Math.max(most, now + boundForLater);
}
