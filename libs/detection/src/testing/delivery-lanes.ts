import { partitionCaughtUpEvent, topicOfType, type AidEvent } from '@aidwatch/domain';
import { eventTimeOf } from '../detection-engine';

/**
 * An event and the lane it came by (`<topic>/<partition>`), as the projection hands it to detection; none for
 * an event that came by no lane (HTTP).
 */
export interface Delivered {
  event: AidEvent;
  lane?: string;
  /**
   * The records still pending on its lane when it was fetched (the ingestor's `pending` metadata); none for
   * HTTP or a delivery that does not model it (0).
   */
  pending?: number;
}

/** A partition for a message key, as a producer's hashing partitioner would pick it (FNV-1a). */
export function partitionOf(key: string, partitions: number): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h >>> 0) % partitions;
}

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The message key a producer gives an event: its CloudEvents subject (MMSI, consignment id, …), else its id. */
export const keyOf = (e: AidEvent): string => e.subject ?? e.id;

/**
 * The lane (`<topic>/<partition>`) an event lands on: its catalogue topic, and the partition its key hashes to
 * among `partitions`. Each key (a vessel, a consignment) therefore keeps one lane and its own order.
 */
export function laneOf(event: AidEvent, partitions: number): string {
  return `${topicOfType(event.type) ?? 'unknown'}/${partitionOf(keyOf(event), partitions)}`;
}

/**
 * How a consumer takes its lanes: each lane starts `lagHours[i]` of event time behind and falls a further
 * `driftHoursPerDay[i]` behind per day of event time (a partition consumed slower); the consumer takes, from a
 * random lane among those whose next event is due within half an hour of the earliest due, a burst of
 * 1 … `burst` events (a burst runs ahead of what is due). A lane `held` is consumed only once every other
 * lane is done (a topic whose consumer came late: paperwork or listings after all the positions). Lanes are
 * numbered in the order of their names (an array shorter than the lanes repeats).
 */
export interface LaneSchedule {
  lagHours: readonly number[];
  driftHoursPerDay: readonly number[];
  held?: readonly boolean[];
  burst: number;
  mergeSeed: number;
}

/**
 * How the records came to the topics, for the `pending` of each delivered event: produced in `bursts` (1:
 * everything produced up front, before the consumer starts) of about equal size in event-time order, each
 * burst produced into the running service once it has consumed everything before it. Each burst is then
 * taken as a consumer takes it: its first fetch brings the first record of every lane the burst wrote to
 * (the lanes in random order), then the lanes go per the schedule. An event's `pending` is the number of its
 * lane's records produced before it was consumed and not yet delivered: the rest of its lane in its burst.
 */
export interface Production {
  bursts: number;
  /**
   * Whether the ingestor's caught-up markers come with the events (`aidwatch.partition.caught-up.v1`, time
   * model 5): a lane whose records of the burst are all delivered gets its marker at a random later point of
   * the burst, and at the end of each burst every lane seen so far gets one (the ingestor repeats them while a
   * partition stays caught up), in random order. Each marker's quiet is at random a short one (2 s) or a long
   * one (an hour: the consumer was slow, or the next burst came late); the markers after the last burst say
   * an hour (the delivery ended).
   */
  caughtUp?: boolean;
  /**
   * With `caughtUp`: the producer never paused for long — every marker before the last burst's end says a
   * short quiet (2 s), so no partition counts as stopped until the delivery ends.
   */
  shortPauses?: boolean;
  /**
   * Lanes whose records of each burst after the first reach the broker only after the other lanes' records
   * of that burst were all consumed (a separate system producing its topic seconds later): each such burst is
   * then taken as two, the other lanes' part first.
   */
  lateLanes?: (lane: string) => boolean;
  /**
   * Produced as independent senders would: each subject's events in their own order, but the subjects
   * interleaved at random paces rather than in event-time order (a receiver replaying one vessel's track
   * while another's is live, satellite batches), so a lane's clock runs ahead of the vessels it carries and
   * its markers may find them behind it. Bursts are consecutive slices of that production order. A predicate
   * picks the events so produced (a source's consignments, one receiver's vessels); the others keep their
   * places in event-time order, the picked ones taking the places of picked ones.
   */
  subjectsAtRandomPaces?: boolean | ((event: AidEvent) => boolean);
  /**
   * With `subjectsAtRandomPaces`: no subject falls more than this many hours of event time behind another
   * (a subject whose next event is that far behind the next of another goes next): production out of
   * event-time order within a bound, such as the late horizon (time model 10) or the allowed lateness (8).
   */
  pacedWithinHours?: number;
}

/** The quiet of a marker written once a delivery has ended (an hour: longer than any end-quiet setting). */
export const ENDED_QUIET_MS = 3_600_000;

/**
 * The caught-up marker of `lane` (`<topic>/<partition>`), the partition quiet for `quietMs`, as the projection
 * hands it to detection.
 */
export function caughtUpMarker(lane: string, nth: number, quietMs = ENDED_QUIET_MS): Delivered {
  const slash = lane.lastIndexOf('/');
  const topic = lane.slice(0, slash);
  const partition = Number(lane.slice(slash + 1));
  return {
    event: partitionCaughtUpEvent({
      topic,
      partition,
      endOffset: String(nth),
      atMs: 0,
      nth,
      quietMs,
    }) as unknown as AidEvent,
    lane,
    pending: 0,
  };
}

/**
 * Markers for `lanes` in random order, as the ingestor writes them once every partition is caught up, each
 * quiet as `quietOf` says (an hour: the delivery ended).
 */
export function caughtUpMarkers(
  lanes: Iterable<string>,
  random: () => number = Math.random,
  quietOf: () => number = () => ENDED_QUIET_MS,
): Delivered[] {
  const order = [...lanes].sort();
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.map((lane, i) => caughtUpMarker(lane, i, quietOf()));
}

/**
 * The events as a consumer of uneven lanes hands them over: each lane holds its events in event-time order
 * (as produced: every key keeps its own order), and the lanes are interleaved per `schedule`. With
 * `production`, each event carries `pending` (see `Production`).
 */
export function deliverLanes(
  events: readonly AidEvent[],
  laneOfEvent: (e: AidEvent) => string,
  schedule: LaneSchedule,
  production?: Production,
): Delivered[] {
  const start = Math.min(...events.map(eventTimeOf));
  const random = seededRandom(schedule.mergeSeed);
  if (!production) return interleave(events, laneOfEvent, schedule, start, random, false);
  let byTime = events.map((event, i) => ({ event, i, at: eventTimeOf(event) }));
  byTime.sort((x, y) => x.at - y.at || x.i - y.i);
  const paced = production.subjectsAtRandomPaces;
  const within = (production.pacedWithinHours ?? Infinity) * HOUR;
  if (paced === true) byTime = atRandomPaces(byTime, random, within);
  else if (paced) {
    const slots: number[] = [];
    byTime.forEach((x, i) => {
      if (paced(x.event)) slots.push(i);
    });
    const moved = atRandomPaces(
      slots.map((i) => byTime[i]),
      random,
      within,
    );
    byTime = [...byTime];
    slots.forEach((slot, k) => (byTime[slot] = moved[k]));
  }
  const bursts = Math.max(1, Math.min(Math.floor(production.bursts), byTime.length));
  const out: Delivered[] = [];
  const seen = new Set<string>();
  for (let b = 0; b < bursts; b++) {
    const from = Math.floor((b * byTime.length) / bursts);
    const to = Math.floor(((b + 1) * byTime.length) / bursts);
    const whole = byTime.slice(from, to).map(({ event }) => event);
    const late = production.lateLanes;
    const parts =
      late && b > 0
        ? [whole.filter((e) => !late(laneOfEvent(e))), whole.filter((e) => late(laneOfEvent(e)))]
        : [whole];
    for (const [p, burst] of parts.entries()) {
      if (burst.length === 0) continue;
      const last = b === bursts - 1 && p === parts.length - 1;
      const taken = interleave(burst, laneOfEvent, schedule, start, random, true);
      if (!production.caughtUp) {
        out.push(...taken);
        continue;
      }
      // A lane's last record of the burst: its marker comes at a random point after it.
      const markersAt = new Map<number, string[]>();
      taken.forEach((d, i) => {
        seen.add(d.lane as string);
        if (d.pending !== 0) return;
        const at = i + Math.floor(random() * (taken.length - i));
        markersAt.set(at, [...(markersAt.get(at) ?? []), d.lane as string]);
      });
      const quiet = () => (production.shortPauses || random() < 0.5 ? 2000 : ENDED_QUIET_MS);
      taken.forEach((d, i) => {
        out.push(d);
        for (const lane of markersAt.get(i) ?? []) out.push(caughtUpMarker(lane, b, quiet()));
      });
      out.push(...caughtUpMarkers(seen, random, last ? () => ENDED_QUIET_MS : quiet));
    }
  }
  return out;
}

/**
 * The events merged from per-subject queues (each in event-time order) taking the next event of a subject
 * picked at random, each subject with a pace of its own (weights 1 to 10): every subject keeps its order.
 */
function atRandomPaces<T extends { event: AidEvent; at: number }>(
  sorted: readonly T[],
  random: () => number,
  withinMs = Infinity,
): T[] {
  const queues = new Map<string, T[]>();
  for (const x of sorted) {
    const key = x.event.subject ?? x.event.id;
    const queue = queues.get(key);
    if (queue) queue.push(x);
    else queues.set(key, [x]);
  }
  const live = [...queues.values()].map((queue) => ({ queue, next: 0, pace: 1 + Math.floor(random() * 10) }));
  const out: T[] = [];
  while (live.length > 0) {
    let behind = 0;
    if (Number.isFinite(withinMs))
      for (let i = 1; i < live.length; i++)
        if (live[i].queue[live[i].next].at < live[behind].queue[live[behind].next].at) behind = i;
    const limit = Number.isFinite(withinMs) ? live[behind].queue[live[behind].next].at + withinMs : Infinity;
    let total = 0;
    for (const q of live) if (q.queue[q.next].at <= limit) total += q.pace;
    let pick = random() * total;
    let k = 0;
    for (; k < live.length - 1; k++) {
      if (live[k].queue[live[k].next].at > limit) continue;
      if (pick < live[k].pace) break;
      pick -= live[k].pace;
    }
    if (live[k].queue[live[k].next].at > limit) k = behind;
    const q = live[k];
    out.push(q.queue[q.next++]);
    if (q.next === q.queue.length) live.splice(k, 1);
  }
  return out;
}

function interleave(
  events: readonly AidEvent[],
  laneOfEvent: (e: AidEvent) => string,
  schedule: LaneSchedule,
  start: number,
  random: () => number,
  withPending: boolean,
): Delivered[] {
  const byLane = new Map<string, AidEvent[]>();
  for (const event of events) {
    const lane = laneOfEvent(event);
    const list = byLane.get(lane);
    if (list) list.push(event);
    else byLane.set(lane, [event]);
  }
  const names = [...byLane.keys()].sort();
  const queues = names.map((name) => {
    const list = byLane.get(name)!.map((event, i) => ({ event, i, at: eventTimeOf(event) }));
    list.sort((x, y) => x.at - y.at || x.i - y.i);
    return list;
  });
  const nonNegative = (x: number) => (x > 0 ? x : 0);
  const due = (l: number) => {
    const t = queues[l][0].at;
    const lag = nonNegative(schedule.lagHours[l % schedule.lagHours.length] ?? 0);
    const drift = nonNegative(schedule.driftHoursPerDay[l % schedule.driftHoursPerDay.length] ?? 0);
    return t + lag * HOUR + (drift * HOUR * (t - start)) / DAY;
  };
  const out: Delivered[] = [];
  const take = (l: number) => {
    const { event } = queues[l].shift()!;
    out.push(withPending ? { event, lane: names[l], pending: queues[l].length } : { event, lane: names[l] });
  };
  const isHeld = (l: number) => schedule.held?.[l % schedule.held.length] === true;
  const open = queues.map((_, i) => i).filter((i) => queues[i].length > 0);
  if (withPending) {
    // The first fetch of what was produced: a record from every lane that has some.
    const order = [...open];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const l of order) {
      take(l);
      if (queues[l].length === 0) open.splice(open.indexOf(l), 1);
    }
  }
  while (open.length > 0) {
    const notHeld = open.filter((i) => !isHeld(i));
    const candidates = notHeld.length > 0 ? notHeld : open;
    const earliest = Math.min(...candidates.map(due));
    const ready = candidates.filter((i) => due(i) <= earliest + HOUR / 2);
    const l = ready[Math.floor(random() * ready.length)];
    const n = 1 + Math.floor(random() * schedule.burst);
    for (let k = 0; k < n && queues[l].length > 0; k++) take(l);
    if (queues[l].length === 0) open.splice(open.indexOf(l), 1);
  }
  return out;
}
