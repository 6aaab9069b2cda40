import { eventTimeOf } from '@aidwatch/detection';
import { EventTypes, type AidEvent } from '@aidwatch/domain';
import { Prng } from '@aidwatch/maritime';

export const isAisReport = (e: AidEvent): boolean =>
  e.type === EventTypes.VesselPositionReported || e.type === EventTypes.VesselStaticReported;

const mmsiOf = (e: AidEvent): string => (e.data as { mmsi: string }).mmsi;

/** A seeded Fisher–Yates shuffle (envelopes untouched). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rng = new Prng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export interface ArrivalOptions {
  seed: number;
  /** Reports other than AIS arrive up to this late (uniformly), so their order among themselves is scrambled. */
  maxLateMs: number;
  /** Each vessel's reports reach the store this much later than their time, fixed per vessel (receiver lag). */
  maxVesselLagMs?: number;
  /** Per-report jitter on top of the vessel's lag. */
  jitterMs?: number;
}

/**
 * The order events would reach the store if each arrived at its event time plus a seeded delay. Envelopes and
 * times are unchanged; each vessel's own reports stay in time order (the maritime rules tolerate only a
 * few minutes of disorder per vessel), but different vessels' streams interleave differently.
 */
export function arrivalOrder(events: readonly AidEvent[], options: ArrivalOptions): AidEvent[] {
  const rng = new Prng(options.seed);
  const lags = new Map<string, number>();
  const arrivals = events.map((event, index) => {
    const at = eventTimeOf(event);
    if (!isAisReport(event)) return { event, index, arrives: at + rng.next() * options.maxLateMs };
    const mmsi = mmsiOf(event);
    if (!lags.has(mmsi)) lags.set(mmsi, rng.next() * (options.maxVesselLagMs ?? 0));
    return { event, index, arrives: at + (lags.get(mmsi) as number) + rng.next() * (options.jitterMs ?? 0) };
  });
  arrivals.sort((a, b) => a.arrives - b.arrives || a.index - b.index);

  const byVessel = new Map<string, AidEvent[]>();
  for (const e of events) {
    if (!isAisReport(e)) continue;
    const reports = byVessel.get(mmsiOf(e));
    if (reports) reports.push(e);
    else byVessel.set(mmsiOf(e), [e]);
  }
  for (const reports of byVessel.values()) reports.sort((a, b) => eventTimeOf(a) - eventTimeOf(b));
  const taken = new Map<string, number>();
  return arrivals.map(({ event }) => {
    if (!isAisReport(event)) return event;
    const mmsi = mmsiOf(event);
    const n = taken.get(mmsi) ?? 0;
    taken.set(mmsi, n + 1);
    return (byVessel.get(mmsi) as AidEvent[])[n];
  });
}
