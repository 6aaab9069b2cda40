import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { DetectionEngine, defaultDetectionConfig, eventTimeOf } from '@aidwatch/detection';
import { consignmentIdOfEvent, EventTypes, type AidEvent, type Flag } from '@aidwatch/domain';
import { defaultPorts } from '@aidwatch/maritime';
import {
  caughtUpMarkers,
  deliverLanes,
  flagLine,
  laneOf,
  laneSchedules,
  lateSubjectsInterleaved,
  PositionLog,
  runDelivery,
  wholeSubjectsInSequence,
  type Delivered,
  type LaneSchedule,
} from '@aidwatch/detection/testing';
import { DemoCast, demoScenario } from '../../apps/aidwatch/src/demo/demo-scenario';

/*
 * The demo's 1,980 events delivered as Kafka delivers them to a running service: every topic split into
 * partitions by message key (each vessel's and each consignment's events keep their order), the lanes
 * interleaved at random, in bursts of up to 2,000 events, each lane up to 10 days behind and drifting —
 * so AIS partitions of one receiver run hours apart, and paperwork and listings come late, after the
 * positions. The open flags at the end (rule, subject, id) equal event-time order's, the flagship encounter
 * of the carrier with the designated partner and its designated-vessel flag included; a vessel flag raised
 * on the way is one event-time order raises too, but for the aid on board it may name none yet: paperwork
 * that comes later supersedes it (time model 9). Consignment flags on the way are compared too (by
 * problem: rule, subject, fingerprint) whenever the events carry the records pending when they were fetched,
 * produced up front or in bursts into the running service: a monitors' partition whose first records were
 * fetched with records pending holds every consignment until it has delivered them, and a feed released by its
 * own partition follows that partition only (time model 5), so no `verification-overdue` is raised and cleared
 * when the verification comes. Events stored without that count (as before it was recorded) are compared at
 * the end. Runs: a fault in one delivery of twenty is caught with probability > 99.99 % (200 runs).
 * FC_SEED reproduces a run (fast-check prints seed and path on failure); FC_RUNS overrides the count.
 */

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261206;
const runs = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 200;
const DAY = 86_400_000;

const events = demoScenario() as AidEvent[];
const ports = events.filter((e) => e.type === EventTypes.PortDeclared);
const rest = events.filter((e) => e.type !== EventTypes.PortDeclared);
const horizon = Math.max(...events.map(eventTimeOf)) + 120 * DAY;

function run(delivered: readonly Delivered[], toHorizon = true) {
  const engine = new DetectionEngine(defaultDetectionConfig(), defaultPorts());
  const history = new PositionLog();
  const open = new Map<string, Flag>();
  const raised = new Set<string>();
  const apply = (c: ReturnType<DetectionEngine['handle']>) => {
    for (const f of c.raised) {
      open.set(f.flagId, f);
      raised.add(f.subject.kind === 'vessel' ? withoutAid(f) : problemOf(f));
    }
    for (const f of c.cleared) open.delete(f.flagId);
  };
  for (const e of ports) apply(engine.handle(e));
  for (const { event, lane, pending } of delivered) {
    apply(engine.handle(event, lane, pending));
    // Late paperwork judges the carrier's corridor again over the positions delivered so far.
    history.record(event);
    apply(engine.replayRoutes(history));
  }
  // Then every input's clock moves on to a horizon, as later traffic eventually moves it: a feed whose last
  // events were consumed after every other feed had finished is released only by traffic that comes after
  // them (time model 5), which a finite delivery never has.
  if (toHorizon) apply(engine.advanceWatermark(horizon));
  const openFlags = [...open.values()];
  return {
    open: openFlags.map(flagLine).sort(),
    openFlags,
    onTheWay: [...raised],
  };
}

/**
 * A consignment flag's problem (rule, subject, fingerprint): its evidence grows as the paperwork comes in
 * whatever order (the flag superseded each time), but a problem in-order delivery never raises is a false alert.
 */
const problemOf = (f: Flag): string => `${f.rule} ${f.subject.kind}:${f.subject.id} ${f.fingerprint}`;

/**
 * A flag as it is before the aid on board is known: its id without the consignments (the id a vessel flag has
 * when it names no aid, see `flagIdOf`).
 */
const withoutAid = (f: Flag): string =>
  `${f.rule} ${f.subject.kind}:${f.subject.id} ` +
  createHash('sha256')
    .update(`${f.fingerprint}|${[...f.evidence].sort().join(',')}`)
    .digest('hex')
    .slice(0, 32);

const inOrder = run(
  [...rest]
    .sort((a, b) => eventTimeOf(a) - eventTimeOf(b))
    .map((event) => ({ event, lane: laneOf(event, 1) })),
);

interface Delivery {
  partitions: number;
  /** 0: the events carry no pending count (as before it was recorded); else `Production.bursts`. */
  bursts: number;
  schedule: LaneSchedule;
}

const delivery: fc.Arbitrary<Delivery> = fc.record({
  partitions: fc.integer({ min: 1, max: 8 }),
  // Produced up front, or in bursts into the running service (each event carries the records pending then).
  bursts: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6 })),
  // Lanes are numbered by name across all topics: up to 6 topics × 8 partitions.
  schedule: laneSchedules(48, { maxLagHours: 240, maxDriftHoursPerDay: 24, maxBurst: 2000, heldRatio: 0.2 }),
});

describe('the demo delivered as uneven Kafka partitions into a running service', () => {
  it('event-time order raises the flagship encounter and its designated-vessel flag', () => {
    const ofCarrier = inOrder.openFlags.filter((f) => f.subject.id === DemoCast.carrier);
    expect(
      ofCarrier.some((f) => f.rule === 'encounter' && f.observed.partnerMmsi === DemoCast.designatedPartner),
    ).toBe(true);
    expect(ofCarrier.some((f) => f.rule === 'designated-vessel')).toBe(true);
  });

  it('any partition speeds, bursts and late paperwork and listings: the same open flags, ids included', () => {
    const inOrderLines = new Set(inOrder.onTheWay);
    fc.assert(
      fc.property(delivery, ({ partitions, schedule, bursts }) => {
        const production = bursts > 0 ? { bursts } : undefined;
        const delivered = deliverLanes(rest, (e) => laneOf(e, partitions), schedule, production);
        const { open, onTheWay } = run(delivered);
        expect(open).toEqual(inOrder.open);
        const judged = bursts >= 1 ? onTheWay : onTheWay.filter((line) => line.includes(' vessel:'));
        expect(judged.filter((line) => !inOrderLines.has(line))).toEqual([]);
      }),
      { seed, numRuns: runs },
    );
  });
});

/*
 * The end of a finite delivery, with no later traffic to move the clocks on: the ingestor's caught-up markers
 * (`aidwatch.partition.caught-up.v1`, written once a partition's records are all stored, time model 5) are
 * what releases a feed whose partition was consumed last. Produced into the running service in bursts, each
 * lane's marker coming at a random point after its last record of a burst and every lane's at the end of each
 * burst: the open flags at the end — the flagship encounter, YU SON 8 dark now, the overdue verifications —
 * equal event-time order's at the end of the same delivery (one partition per topic, its markers after the
 * last event), and nothing is raised on the way that event-time order does not raise.
 */
/** The sources of the events of the first of `bursts` equal parts of the demo in event-time order. */
function firstBurstSources(bursts: number): string[] {
  const sorted = [...rest].sort((a, b) => eventTimeOf(a) - eventTimeOf(b));
  return sorted.slice(0, Math.floor(sorted.length / bursts)).map((e) => e.source);
}

/** Every source that reports a consignment of the programme (exemption) of `consignmentId`. */
function programmeSources(consignmentId: string): string[] {
  const exemptionOf = new Map<string, string>();
  for (const e of rest)
    if (e.type === EventTypes.ConsignmentRegistered)
      exemptionOf.set(
        (e.data as { consignmentId: string }).consignmentId,
        (e.data as { exemptionId: string }).exemptionId,
      );
  const exemption = exemptionOf.get(consignmentId);
  return rest
    .filter((e) => {
      const c = consignmentIdOfEvent(e);
      return c !== undefined && exemptionOf.get(c) === exemption;
    })
    .map((e) => e.source);
}

describe('the end of a delivery: the caught-up markers release what later traffic would', () => {
  const lanesOfInOrder = new Set(rest.map((e) => laneOf(e, 1)));
  const atEnd = run(
    [
      ...[...rest]
        .sort((a, b) => eventTimeOf(a) - eventTimeOf(b))
        .map((event) => ({ event, lane: laneOf(event, 1) })),
      ...caughtUpMarkers(lanesOfInOrder),
    ],
    false,
  );

  it('event-time order with the markers at the end raises the flagship encounter and the dark partner', () => {
    const ofCarrier = atEnd.openFlags.filter((f) => f.subject.id === DemoCast.carrier);
    expect(
      ofCarrier.some((f) => f.rule === 'encounter' && f.observed.partnerMmsi === DemoCast.designatedPartner),
    ).toBe(true);
    expect(
      atEnd.openFlags.some((f) => f.rule === 'ais-gap' && f.subject.id === DemoCast.designatedPartner),
    ).toBe(true);
  });

  it('one partition consumed after the others: without the markers its feeds stay held, with them they are released', () => {
    const schedule: LaneSchedule = { lagHours: [0], driftHoursPerDay: [0], burst: 1, mergeSeed: 0 };
    const lanes = (e: AidEvent) => laneOf(e, 5);
    const without = run(deliverLanes(rest, lanes, schedule, { bursts: 1 }), false);
    const withMarkers = run(deliverLanes(rest, lanes, schedule, { bursts: 1, caughtUp: true }), false);
    expect(atEnd.open.filter((line) => !without.open.includes(line))).not.toEqual([]);
    expect(withMarkers.open).toEqual(atEnd.open);
  });

  it('produced before the services consume it, any partition speeds: no consignment flag on the way that event-time order does not raise', () => {
    const inOrderLines = new Set(atEnd.onTheWay);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        laneSchedules(48, { maxLagHours: 240, maxDriftHoursPerDay: 24, maxBurst: 2000, heldRatio: 0.5 }),
        (partitions, schedule) => {
          const delivered = deliverLanes(rest, (e) => laneOf(e, partitions), schedule, {
            bursts: 1,
            caughtUp: true,
          });
          const { open, onTheWay } = run(delivered, false);
          expect(open).toEqual(atEnd.open);
          expect(onTheWay.filter((line) => !inOrderLines.has(line))).toEqual([]);
        },
      ),
      { seed, numRuns: Math.ceil(runs / 2) },
    );
  });

  it('bursts seconds apart into the running service, one programme topic produced late, any partition speeds: no consignment flag on the way that event-time order does not raise', () => {
    const inOrderLines = new Set(atEnd.onTheWay);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 2, max: 6 }),
        // A topic whose records of each burst reach the broker after the others' were consumed.
        fc.constantFrom(undefined, 'aid.verifications.v1', 'aid.deliveries.v1', 'aid.consignments.v1'),
        laneSchedules(48, { maxLagHours: 240, maxDriftHoursPerDay: 24, maxBurst: 2000, heldRatio: 0.5 }),
        (partitions, bursts, lateTopic, schedule) => {
          const delivered = deliverLanes(rest, (e) => laneOf(e, partitions), schedule, {
            bursts,
            caughtUp: true,
            shortPauses: true,
            lateLanes: lateTopic === undefined ? undefined : (lane) => lane.startsWith(`${lateTopic}/`),
          });
          const { open, onTheWay } = run(delivered, false);
          expect(open).toEqual(atEnd.open);
          // A programme whose feeds had all been heard before the late topic's first burst: its own monitors'
          // partition holds it. A feed that had never spoken is not known to hold anything (time model 5).
          const heard = new Set(firstBurstSources(bursts));
          const judged = onTheWay.filter((line) => {
            const consignment = /^\S+ consignment:(\S+) /.exec(line)?.[1];
            return consignment === undefined || programmeSources(consignment).every((s) => heard.has(s));
          });
          expect(judged.filter((line) => !inOrderLines.has(line))).toEqual([]);
        },
      ),
      { seed, numRuns: Math.ceil(runs / 2) },
    );
  });

  it('any partition speeds and bursts into the running service: the same open flags at the end', () => {
    const inOrderLines = new Set(atEnd.onTheWay);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 6 }),
        laneSchedules(48, { maxLagHours: 240, maxDriftHoursPerDay: 24, maxBurst: 2000, heldRatio: 0.2 }),
        (partitions, bursts, schedule) => {
          const delivered = deliverLanes(rest, (e) => laneOf(e, partitions), schedule, {
            bursts,
            caughtUp: true,
          });
          const { open, onTheWay } = run(delivered, false);
          expect(open).toEqual(atEnd.open);
          const judged = bursts === 1 ? onTheWay : onTheWay.filter((line) => line.includes(' vessel:'));
          expect(judged.filter((line) => !inOrderLines.has(line))).toEqual([]);
        },
      ),
      { seed, numRuns: runs },
    );
  });
});

/*
 * The demo over HTTP: every AIS report from one source (one input, no lanes), whole vessels one after another
 * in random order (each vessel's reports in order) or one vessel's track last; the paperwork and listings
 * before the positions, after them, or in event time among the vessels; a restart from a snapshot anywhere
 * (whole, or assembled from incremental checkpoints as the detection projection writes them).
 * The open flags at the end — every rule, vessel and consignment, with their evidence, dates and figures —
 * equal event-time order's over the same input, and nothing is raised on the way that event-time order does
 * not raise (a vessel flag may name no aid yet while the paperwork is still to come, time model 9).
 */
const AIS_SOURCE = '/ais/coastal-receivers/yellow-sea';
const isAis = (e: AidEvent) =>
  e.type === EventTypes.VesselPositionReported || e.type === EventTypes.VesselStaticReported;
const overHttp = rest.map((e) => (isAis(e) ? { ...e, source: AIS_SOURCE } : e));
const demoVessels = [...new Set(overHttp.filter(isAis).map((e) => e.subject ?? e.id))].sort();
/** `runDelivery` of the demo on the default configuration and ports. */
const runDemo = (
  delivered: readonly Delivered[],
  end: number,
  restartAt: number,
  line: (f: Flag) => string,
  checkpoints: 'whole' | 'incremental',
  onRaised?: (flag: Flag, index: number) => void,
) =>
  runDelivery(
    () => new DetectionEngine(defaultDetectionConfig(), defaultPorts()),
    (saved) => DetectionEngine.restore(saved, defaultDetectionConfig(), defaultPorts()),
    ports,
    delivered,
    end,
    restartAt,
    line,
    checkpoints,
    onRaised,
  );
const runHttp = (
  delivered: readonly Delivered[],
  restartAt = -1,
  checkpoints: 'whole' | 'incremental' = 'whole',
  onRaised?: (flag: Flag, index: number) => void,
) =>
  runDemo(
    delivered,
    horizon,
    restartAt,
    (f) => (f.subject.kind === 'vessel' ? withoutAid(f) : flagLine(f)),
    checkpoints,
    onRaised,
  );
const httpInOrder = runHttp(
  [...overHttp].sort((a, b) => eventTimeOf(a) - eventTimeOf(b)).map((event) => ({ event })),
);

describe('the demo over HTTP, one AIS input, whole vessels one after another', () => {
  it('event-time order raises the flagship encounter over one input too', () => {
    expect(
      httpInOrder.openDetail.some(
        (l) =>
          l.startsWith(`encounter vessel:${DemoCast.carrier} `) && l.includes(DemoCast.designatedPartner),
      ),
    ).toBe(true);
  });

  it('any vessel order, paperwork first, last or in time, restarts: the same flags, nothing extra on the way', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.option(fc.constantFrom(...demoVessels), { nil: undefined }),
        fc.constantFrom('first' as const, 'last' as const, 'inTime' as const),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        fc.constantFrom('whole' as const, 'incremental' as const),
        (orderSeed, last, others, restart, checkpoints) => {
          const delivered = wholeSubjectsInSequence(overHttp, isAis, { orderSeed, last, others });
          const restartAt = restart === undefined ? -1 : Math.floor(restart * delivered.length);
          const { openDetail, raisedOnTheWay } = runHttp(delivered, restartAt, checkpoints);
          expect(openDetail).toEqual(httpInOrder.openDetail);
          // Vessel flags compared without the aid they name: paperwork after the positions supersedes them.
          expect([...raisedOnTheWay].filter((f) => !httpInOrder.raisedOnTheWay.has(f))).toEqual([]);
        },
      ),
      { seed, numRuns: Math.ceil(runs / 4) },
    );
  });
});

/*
 * The demo over HTTP with several vessels' tracks late and interleaved with one another — a satellite batch or
 * a backfill posted after the coastal feed, the flagship's two vessels always among them: every other event in
 * event-time order, then the late tracks merged at random (each vessel's own order kept), then the source's
 * quiet marker (`aidwatch.input.quiet.v1`). The open flags equal event-time order's, and nothing is raised on
 * the way that event-time order does not raise — the partner's track interrupted by the carrier's reports is
 * not judged dark while they still come.
 */
describe('the demo over HTTP, late tracks interleaved with one another', () => {
  const quietMarker = {
    specversion: '1.0',
    id: 'quiet/end',
    source: 'aidwatch/intake',
    type: 'aidwatch.input.quiet.v1',
    subject: AIS_SOURCE,
    time: '2030-01-01T00:00:00Z',
    data: { source: AIS_SOURCE, at: '2030-01-01T00:00:00Z', quietMs: 2000 },
  } as unknown as AidEvent;

  it('any late vessels, any interleaving, restarts: the same flags, nothing extra on the way', () => {
    const others = demoVessels.filter((v) => v !== DemoCast.carrier && v !== DemoCast.designatedPartner);
    fc.assert(
      fc.property(
        fc.subarray(others, { maxLength: 4 }),
        fc.integer(),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        (moreLate, mergeSeed, restart) => {
          const late = [DemoCast.carrier, DemoCast.designatedPartner, ...moreLate];
          const delivered = [
            ...lateSubjectsInterleaved(overHttp, late, mergeSeed, { moveClock: isAis }),
            { event: quietMarker },
          ];
          const restartAt = restart === undefined ? -1 : Math.floor(restart * delivered.length);
          const { openDetail, raisedOnTheWay } = runHttp(delivered, restartAt, 'incremental');
          expect(openDetail).toEqual(httpInOrder.openDetail);
          expect([...raisedOnTheWay].filter((f) => !httpInOrder.raisedOnTheWay.has(f))).toEqual([]);
        },
      ),
      { seed, numRuns: Math.ceil(runs / 4) },
    );
  });
});

/*
 * Kafka: the paperwork topics produced before the positions, or after them, or all topics at once — up
 * front, or in bursts into the running service — with a restart from a snapshot anywhere. Each event carries
 * what the ingestor records: the records still pending on its partition when it was fetched. The open flags
 * at the end, evidence, dates and figures included, equal event-time order's; nothing is raised on the way
 * that event-time order does not raise: no consignment flag (a paperwork partition consumed days behind the
 * others still has records pending, so it is not idle and holds its consignments back, time model 5), and
 * vessel flags only as event-time order raises them (without the aid they name, time model 9).
 */
const exemptionOf = new Map(
  rest
    .filter((e) => e.type === EventTypes.ConsignmentRegistered)
    .map((e) => {
      const { consignmentId, exemptionId } = e.data as { consignmentId: string; exemptionId: string };
      return [consignmentId, exemptionId] as const;
    }),
);
const exemptionOfEvent = (e: AidEvent): string | undefined => {
  const c = consignmentIdOfEvent(e);
  return c === undefined ? undefined : exemptionOf.get(c);
};

/**
 * A consignment flag raised on the way that event-time order does not raise, as a list of one line — unless it
 * is one the time model does not promise to hold back: `quantity-shrinkage` is compared at the end only (it is judged
 * once the consignment's clock reaches its newest evidence: with the other feeds of the exemption ahead, a
 * first partial delivery is flagged at once and cleared by the next delivery of the same field feed, nothing
 * being idle); and a consignment waits only for the inputs that have reported
 * its exemption (time model 4), so one raised while an input that later reports the exemption has not yet
 * spoken of it is allowed. Every other one is a rule about something missing raised while every input that
 * could deliver it was known: what pending records keep from happening (time model 5).
 */
function unexplained(flag: Flag, index: number, delivered: readonly Delivered[]): string[] {
  if (flag.rule === 'quantity-shrinkage') return [];
  const exemption = exemptionOf.get(flag.subject.id);
  const inputOf = (d: Delivered) => `${d.event.source} ${d.lane ?? ''}`;
  const heard = new Set<string>();
  delivered.forEach((d, i) => {
    if (i <= index && exemptionOfEvent(d.event) === exemption) heard.add(inputOf(d));
  });
  const unheard = delivered.some(
    (d, i) => i > index && exemptionOfEvent(d.event) === exemption && !heard.has(inputOf(d)),
  );
  return unheard ? [] : [`${flagLine(flag)} at ${index}`];
}

const lanesInOrder = runHttp(
  [...rest]
    .sort((a, b) => eventTimeOf(a) - eventTimeOf(b))
    .map((event) => ({ event, lane: laneOf(event, 1) })),
);

describe('the demo through Kafka, paperwork before or after the positions, restarts', () => {
  it('the same open flags at the end, nothing on the way that event-time order does not raise', () => {
    fc.assert(
      fc.property(
        delivery,
        fc.constantFrom('first' as const, 'last' as const, 'together' as const),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        fc.constantFrom('whole' as const, 'incremental' as const),
        fc.constant(1),
        ({ partitions, schedule }, paperwork, restart, checkpoints, bursts) => {
          const lane = (e: AidEvent) => laneOf(e, partitions);
          const production = { bursts };
          const ais = deliverLanes(rest.filter(isAis), lane, schedule, production);
          const papers = deliverLanes(
            rest.filter((e) => !isAis(e)),
            lane,
            schedule,
            production,
          );
          const delivered =
            paperwork === 'together'
              ? deliverLanes(rest, lane, schedule, production)
              : paperwork === 'first'
                ? [...papers, ...ais]
                : [...ais, ...papers];
          const restartAt = restart === undefined ? -1 : Math.floor(restart * delivered.length);
          const extra: string[] = [];
          const { openDetail, raisedOnTheWay } = runHttp(delivered, restartAt, checkpoints, (f, index) => {
            if (f.subject.kind === 'consignment' && !lanesInOrder.raisedOnTheWay.has(flagLine(f)))
              extra.push(...unexplained(f, index, delivered));
          });
          expect(openDetail).toEqual(lanesInOrder.openDetail);
          const vesselLines = [...raisedOnTheWay].filter((l) => l.includes(' vessel:'));
          expect(vesselLines.filter((l) => !lanesInOrder.raisedOnTheWay.has(l))).toEqual([]);
          expect(extra).toEqual([]);
        },
      ),
      { seed, numRuns: Math.ceil(runs / 4) },
    );
  });
});

/*
 * Produced as independent senders produce: each receiver's vessels and each feed's consignments in their own
 * order, but the subjects of one source interleaved at random paces rather than in event-time order (a
 * receiver replaying one vessel's track while another's is live; a logistics system sending one
 * consignment's papers, then an older one's) — within the late horizon for AIS (time model 10: 72 h; here up
 * to 70 h apart) and within the allowed lateness for paperwork (time model 8: 24 h; here up to 23 h apart) —
 * then consumed as uneven partitions in bursts, the ingestor's caught-up markers between them, a restart
 * anywhere. The open flags at the end, evidence, dates and figures included, equal event-time order's at the
 * end of the same delivery; no consignment flag is raised on the way that event-time order does not raise,
 * but for one of a programme whose feed had not spoken yet (time model 5). Vessel flags on the way are not
 * compared: a vessel heard on time whose next reports come late may be judged dark meanwhile, and that
 * silence is filled when they come (time model 7).
 */
describe('each source producing its subjects out of event-time order, within the lateness bounds', () => {
  const endOfDelivery = (
    delivered: readonly Delivered[],
    restartAt = -1,
    onRaised?: (f: Flag, i: number) => void,
  ) =>
    // No horizon: the caught-up markers end the delivery.
    runDemo(delivered, Number.NEGATIVE_INFINITY, restartAt, flagLine, 'incremental', onRaised);
  const reference = endOfDelivery([
    ...[...rest]
      .sort((a, b) => eventTimeOf(a) - eventTimeOf(b))
      .map((event) => ({ event, lane: laneOf(event, 1) })),
    ...caughtUpMarkers(new Set(rest.map((e) => laneOf(e, 1)))),
  ]);
  const paced = {
    vessels: { subjectsAtRandomPaces: isAis, pacedWithinHours: 70 },
    consignments: { subjectsAtRandomPaces: (e: AidEvent) => !isAis(e), pacedWithinHours: 23 },
    both: { subjectsAtRandomPaces: true, pacedWithinHours: 23 },
  } as const;

  it('any subjects out of order within the bounds, any partition speeds, bursts, a restart: the same flags, no consignment flag on the way', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('vessels' as const, 'consignments' as const, 'both' as const),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 6 }),
        laneSchedules(48, { maxLagHours: 240, maxDriftHoursPerDay: 24, maxBurst: 2000, heldRatio: 0.2 }),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        (which, partitions, bursts, schedule, restart) => {
          const delivered = deliverLanes(rest, (e) => laneOf(e, partitions), schedule, {
            bursts,
            caughtUp: true,
            ...paced[which],
          });
          const restartAt = restart === undefined ? -1 : Math.floor(restart * delivered.length);
          const extra: string[] = [];
          const { openDetail } = endOfDelivery(delivered, restartAt, (f, index) => {
            if (f.subject.kind === 'consignment' && !reference.raisedOnTheWay.has(flagLine(f)))
              extra.push(...unexplained(f, index, delivered));
          });
          expect(openDetail).toEqual(reference.openDetail);
          expect(extra).toEqual([]);
        },
      ),
      { seed, numRuns: Math.ceil(runs / 2) },
    );
  });
});
