/**
 * Carriage windows (contract "Access", vessels): when aid of a consignment was on board a vessel, as its
 * own paperwork says. A tenant-bound reader sees a vessel's track, and the flags and alerts about that
 * vessel, only within the windows of its own consignments on it; partners met at sea only within the
 * meeting's window. Operators see everything. A producer can claim any vessel (the claim is audited in
 * the log); the windows keep that claim from opening the vessel's history outside the claimed carriage.
 */

/**
 * Slack added to both ends of every window, ms: one hour. AIS reports are minutes apart (ITU-R M.1371:
 * 2 s to 3 min under way, 3 min at anchor) and paperwork times are rounded to the minute or worse, so a
 * window cut exactly at the recorded load would hide the reports around it.
 */
export const CARRIAGE_MARGIN_MS = 60 * 60 * 1000;

/** One closed interval of event time, ms since the epoch (`to` may be +Infinity: still on board). */
export interface TimeWindow {
  from: number;
  to: number;
}

/** What `carriageWindows` reads of a consignment's facts (event times in ms). */
export interface CarriageFacts {
  /** The vessel named at registration: a departure before any load is taken to be aboard it. */
  registeredMmsi?: string;
  loads: Iterable<{ time: number; vesselMmsi: string }>;
  departures: Iterable<{ time: number }>;
  discharges: Iterable<{ time: number }>;
  custody: Iterable<{ time: number }>;
}

/**
 * The windows (before the margin) in which the consignment was aboard `mmsi`, by event time: each
 * load onto `mmsi` (or a departure, when the consignment's last load was onto `mmsi` or it has none and
 * was registered on `mmsi`) opens one unless one is open; the next discharge or custody handover closes
 * it; one still open runs to +Infinity (to the vessel's newest position). A load onto another vessel
 * closes an open one. Events of equal time are taken load, departure, discharge, handover.
 */
export function carriageWindows(facts: CarriageFacts, mmsi: string): TimeWindow[] {
  type Step = { time: number; rank: number; vessel?: string };
  const steps: Step[] = [
    ...[...facts.loads].map((l) => ({ time: l.time, rank: 0, vessel: l.vesselMmsi })),
    ...[...facts.departures].map((d) => ({ time: d.time, rank: 1 })),
    ...[...facts.discharges].map((d) => ({ time: d.time, rank: 2 })),
    ...[...facts.custody].map((c) => ({ time: c.time, rank: 3 })),
  ]
    .filter((s) => Number.isFinite(s.time))
    .sort((a, b) => a.time - b.time || a.rank - b.rank);
  const windows: TimeWindow[] = [];
  let vessel = facts.registeredMmsi;
  let open: number | undefined;
  for (const step of steps) {
    if (step.rank === 0) {
      if (step.vessel !== mmsi && open !== undefined) {
        windows.push({ from: open, to: step.time });
        open = undefined;
      }
      vessel = step.vessel;
    }
    if (step.rank <= 1 && vessel === mmsi) open ??= step.time;
    if (step.rank >= 2 && open !== undefined) {
      windows.push({ from: open, to: step.time });
      open = undefined;
    }
  }
  if (open !== undefined) windows.push({ from: open, to: Infinity });
  return windows;
}

/** `windows` widened by `margin` ms at both ends. */
export function widened(windows: readonly TimeWindow[], margin = CARRIAGE_MARGIN_MS): TimeWindow[] {
  return windows.map((w) => ({ from: w.from - margin, to: w.to + margin }));
}

/** Whether time `at` (ms) lies in one of `windows`. */
export function within(windows: readonly TimeWindow[], at: number): boolean {
  return windows.some((w) => at >= w.from && at <= w.to);
}

/** Whether the interval [from, to] (ms) meets one of `windows`. */
export function meets(windows: readonly TimeWindow[], from: number, to: number): boolean {
  return windows.some((w) => from <= w.to && to >= w.from);
}
