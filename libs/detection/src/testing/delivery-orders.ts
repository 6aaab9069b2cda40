import fc from 'fast-check';
import type { AidEvent } from '@aidwatch/domain';
import { eventTimeOf } from '../detection-engine';
import { keyOf, seededRandom, type Delivered, type LaneSchedule } from './delivery-lanes';

/**
 * Lane schedules for property tests: lanes from 0 to `maxLagHours` behind (half of them often on time),
 * some drifting further behind, bursts from single events up to `maxBurst`; with `heldRatio`, about that
 * share of the lanes held back until all others are done.
 */
export function laneSchedules(
  lanes: number,
  {
    maxLagHours,
    maxDriftHoursPerDay = 0,
    maxBurst,
    heldRatio = 0,
  }: { maxLagHours: number; maxDriftHoursPerDay?: number; maxBurst: number; heldRatio?: number },
): fc.Arbitrary<LaneSchedule> {
  return fc.record({
    held: fc.array(
      fc.integer({ min: 0, max: 999 }).map((n) => n < heldRatio * 1000),
      { minLength: lanes, maxLength: lanes },
    ),
    lagHours: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: maxLagHours, noNaN: true })), {
      minLength: lanes,
      maxLength: lanes,
    }),
    driftHoursPerDay: fc.array(
      fc.oneof(fc.constant(0), fc.double({ min: 0, max: maxDriftHoursPerDay, noNaN: true })),
      { minLength: lanes, maxLength: lanes },
    ),
    burst: fc.oneof(fc.constantFrom(1, 20, maxBurst), fc.integer({ min: 1, max: maxBurst })),
    mergeSeed: fc.integer(),
  });
}

/**
 * Whole subjects one after another, as a replay over one input without lanes (HTTP) delivers them: the events
 * whose key `isWhole` picks are grouped by key (each group in event-time order), the groups shuffled by
 * `orderSeed`; `last` (a key) puts that group after all others. The other events come `others` — `first`, or
 * `last`, or `inTime`: each before the first group whose first event is later (in event-time order among
 * the groups' starts). Every event keeps its key's order.
 */
export function wholeSubjectsInSequence(
  events: readonly AidEvent[],
  isWhole: (e: AidEvent) => boolean,
  { orderSeed, last, others }: { orderSeed: number; last?: string; others: 'first' | 'last' | 'inTime' },
): Delivered[] {
  const byTime = events.map((event, i) => ({ event, i, at: eventTimeOf(event) }));
  byTime.sort((x, y) => x.at - y.at || x.i - y.i);
  const groups = new Map<string, AidEvent[]>();
  const rest: AidEvent[] = [];
  for (const { event } of byTime) {
    if (!isWhole(event)) {
      rest.push(event);
      continue;
    }
    const list = groups.get(keyOf(event));
    if (list) list.push(event);
    else groups.set(keyOf(event), [event]);
  }
  const keys = [...groups.keys()].sort();
  const random = seededRandom(orderSeed);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  if (last !== undefined && keys.includes(last)) keys.push(...keys.splice(keys.indexOf(last), 1));
  const out: AidEvent[] = others === 'first' ? [...rest] : [];
  let next = 0;
  for (const key of keys) {
    const group = groups.get(key)!;
    if (others === 'inTime') {
      const start = eventTimeOf(group[0]);
      while (next < rest.length && eventTimeOf(rest[next]) <= start) out.push(rest[next++]);
    }
    out.push(...group);
  }
  if (others !== 'first') out.push(...rest.slice(next));
  return out.map((event) => ({ event }));
}

/**
 * Tracks delivered late, as satellite AIS or a receiver's backlog reaches AidWatch over one input: every event
 * whose key is not in `late` comes in event-time order; each `late` key's event comes right after the first
 * of those that `moveClock` picks (the reports of the input: their times are its clock) dated at least
 * `minDelayHours` to `maxDelayHours` after it (a delay drawn per key, plus up to half that range again per
 * event, never reordering the key's own events) — so every late report arrives behind the input's clock (time
 * model 7), and the late tracks interleave with one another and with the rest.
 */
export function lateSubjectsInterleaved(
  events: readonly AidEvent[],
  late: readonly string[],
  mergeSeed: number,
  {
    minDelayHours = 1,
    maxDelayHours = 48,
    moveClock = () => true,
  }: { minDelayHours?: number; maxDelayHours?: number; moveClock?: (e: AidEvent) => boolean } = {},
): Delivered[] {
  const random = seededRandom(mergeSeed);
  const hour = 3_600_000;
  const delayOf = new Map(
    [...new Set(late)].sort().map((key) => [key, minDelayHours + random() * (maxDelayHours - minDelayHours)]),
  );
  const byTime = events.map((event, i) => ({ event, i, at: eventTimeOf(event) }));
  byTime.sort((x, y) => x.at - y.at || x.i - y.i);
  const onTime = byTime.filter(({ event }) => !delayOf.has(keyOf(event)));
  // Late events go right after an on-time event that moves the clock, found among those (`clocked`).
  const clocked = onTime.flatMap(({ event, at }, n) => (moveClock(event) ? [{ at, n }] : []));
  const slots: AidEvent[][] = onTime.map(() => []);
  const tail: AidEvent[] = [];
  const lastSlot = new Map<string, number>();
  for (const { event, at } of byTime) {
    const delay = delayOf.get(keyOf(event));
    if (delay === undefined) continue;
    const due = at + (delay + random() * ((maxDelayHours - minDelayHours) / 2)) * hour;
    let lo = 0;
    let hi = clocked.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (clocked[mid].at < due) lo = mid + 1;
      else hi = mid;
    }
    const found = lo < clocked.length ? clocked[lo].n : onTime.length;
    const slot = Math.max(lastSlot.get(keyOf(event)) ?? 0, found);
    lastSlot.set(keyOf(event), slot);
    (slot < onTime.length ? slots[slot] : tail).push(event);
  }
  const out: AidEvent[] = [];
  onTime.forEach(({ event }, n) => out.push(event, ...slots[n]));
  out.push(...tail);
  return out.map((event) => ({ event }));
}
