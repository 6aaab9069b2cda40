import fc from 'fast-check';
import { partitionCaughtUpEvent, topicOfType, type AidEvent, type Flag } from '@aidwatch/domain';
import type { DetectionEngine } from '../detection-engine';
import { eventTimeOf } from '../detection-engine';
import { PositionLog } from './position-log';
import type { FlagChanges } from '../open-flags';

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

/** A flag as property tests compare it: rule, subject and id. */
export const flagLine = (f: Flag): string => `${f.rule} ${f.subject.kind}:${f.subject.id} ${f.flagId}`;

/**
 * A flag with all it says of its episode: rule, subject, id, evidence, the time it is dated and everything
 * observed (an encounter's hours, its partner's name) — what two deliveries must agree on beyond the id — and,
 * for a vessel flag, its explanation: vessels are named as they were named at the flag's time, whenever a
 * renaming arrived. A consignment flag's explanation is left out: it names sites and ports by the paperwork
 * known when the flag was raised ("site KP-…" before the exemption's grant arrived, the site's name after),
 * and a flag is not raised again for wording alone.
 */
export const flagDetail = (f: Flag): string =>
  `${flagLine(f)} ${f.evidence.join(',')} ${f.raisedAt} ${JSON.stringify(f.observed)}` +
  (f.subject.kind === 'vessel' ? ` ${f.explanation}` : '');

/**
 * Feeds an engine and keeps what property tests compare: the open flags at the end and every flag raised on
 * the way (as `lineOnTheWay` writes them). `restartAt` (an index into `events`) continues in an engine
 * restored from a JSON snapshot: whole, or (`incremental`) assembled from the head and the entries of the
 * subjects changed after each event, as the detection projection checkpoints. `onRaised` hears each flag
 * raised while `events` are fed, with the index of the event being fed (`events.length` for the end).
 */
export function runDelivery(
  start: () => DetectionEngine,
  restore: (snapshot: unknown) => DetectionEngine,
  prelude: readonly AidEvent[],
  events: readonly Delivered[],
  horizon: number,
  restartAt = -1,
  lineOnTheWay: (f: Flag) => string = flagLine,
  checkpoints: 'whole' | 'incremental' = 'whole',
  onRaised?: (flag: Flag, index: number) => void,
): { open: string[]; openDetail: string[]; raisedOnTheWay: Set<string> } {
  let engine = start();
  const open = new Map<string, Flag>();
  const raisedOnTheWay = new Set<string>();
  let index = -1;
  const apply = (c: FlagChanges) => {
    for (const f of c.raised) {
      if (index >= 0) onRaised?.(f, index);
      open.set(f.flagId, f);
      raisedOnTheWay.add(lineOnTheWay(f));
    }
    for (const f of c.cleared) open.delete(f.flagId);
  };
  // The positions delivered so far: the history late paperwork's corridor replays read (time model 9).
  const history = new PositionLog();
  const fold = (event: AidEvent, lane?: string, pending?: number) => {
    apply(engine.handle(event, lane, pending));
    history.record(event);
    apply(engine.replayRoutes(history));
  };
  // Incremental checkpoints, as the detection projection writes them: the changed subjects' entries.
  const entries = new Map<string, unknown>();
  const checkpoint = () => {
    for (const key of engine.takeChangedKeys()) {
      const entry = engine.entry(key);
      if (entry === undefined) entries.delete(key);
      else entries.set(key, JSON.parse(JSON.stringify(entry)) as unknown);
    }
  };
  for (const e of prelude) fold(e);
  if (checkpoints === 'incremental') engine.markAllChanged();
  events.forEach(({ event, lane, pending }, i) => {
    if (i === restartAt)
      engine = restore(
        checkpoints === 'whole'
          ? (JSON.parse(JSON.stringify(engine.snapshot())) as unknown)
          : (JSON.parse(
              JSON.stringify({ head: engine.head(), entries: Object.fromEntries(entries) }),
            ) as unknown),
      );
    index = i;
    fold(event, lane, pending);
    if (checkpoints === 'incremental') checkpoint();
  });
  index = events.length;
  apply(engine.advanceWatermark(horizon));
  return {
    open: [...open.values()].map(flagLine).sort(),
    openDetail: [...open.values()].map(flagDetail).sort(),
    raisedOnTheWay,
  };
}
