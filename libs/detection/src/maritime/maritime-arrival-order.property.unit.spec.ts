import fc from 'fast-check';
import type { AidEvent } from '@aidwatch/domain';
import { defaultPorts, portDeclaredEvents, simulateTraffic } from '@aidwatch/maritime';
import { defaultDetectionConfig } from '../detection-config';
import { DetectionEngine, eventTimeOf } from '../detection-engine';
import {
  deliverLanes,
  laneOf,
  partitionOf,
  type Delivered,
  type LaneSchedule,
} from '../testing/delivery-lanes';
import { runDelivery } from '../testing/run-delivery';
import { laneSchedules, lateSubjectsInterleaved, wholeSubjectsInSequence } from '../testing/delivery-orders';

/*
 * Arrival order never changes a maritime flag. One simulated fleet with planted anomalies (an encounter at
 * sea, loitering, an AIS gap, a draught change, identity changes), heard by two coastal receivers, is
 * delivered as Kafka would deliver it: the reports of each vessel keep their order (one key, one partition),
 * the vessels interleave at random, the partitions are consumed at different speeds — bursts of up to 2,000
 * reports, partitions up to 40 h behind and falling further behind as they go. After every input has reached
 * one common horizon, the open flags (rule, subject, id) equal those of the same events delivered in
 * event-time order, and nothing was raised on the way that event-time order does not raise.
 *
 * Runs: enough that a fault in one delivery of twenty is caught with probability > 99 % (90 runs: 1 − 0.95^90).
 * FC_SEED reproduces a run (fast-check prints the seed and path of a failure); FC_RUNS overrides the count.
 */

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261204;
const runs = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 90;
const START = '2026-11-01T00:00:00Z';
const DAY = 86_400_000;

const RECEIVERS = ['/ais/coastal-receivers/yellow-sea', '/ais/coastal-receivers/east-sea'];
const sim = simulateTraffic({ vessels: 21, hours: 30, seed: 7, downsample: 6, start: START });
// Each vessel is heard by one of two receivers: lanes carry reports of both.
const fleet: AidEvent[] = [...sim.events()].map((e) => ({
  ...e,
  source: RECEIVERS[partitionOf(e.subject ?? e.id, 7) % 2],
}));
const ports = portDeclaredEvents();
const horizon = Date.parse(START) + 40 * DAY;

interface Delivery {
  partitions: number;
  schedule: LaneSchedule;
}

const delivered = (d: Delivery): Delivered[] =>
  deliverLanes(fleet, (e) => laneOf(e, d.partitions), d.schedule);

function run(events: readonly Delivered[], restartAt = -1, checkpoints: 'whole' | 'incremental' = 'whole') {
  return runDelivery(
    () => new DetectionEngine(defaultDetectionConfig(), defaultPorts()),
    (saved) => DetectionEngine.restore(saved, defaultDetectionConfig(), defaultPorts()),
    ports,
    events,
    horizon,
    restartAt,
    undefined,
    checkpoints,
  );
}

const inOrderRun = run(
  [...fleet]
    .sort((a, b) => eventTimeOf(a) - eventTimeOf(b))
    .map((event) => ({ event, lane: 'ais.positions.v1/0' })),
);
const inOrder = inOrderRun.open;

const delivery: fc.Arbitrary<Delivery> = fc.integer({ min: 2, max: 8 }).chain((partitions) =>
  fc.record({
    partitions: fc.constant(partitions),
    schedule: laneSchedules(partitions, { maxLagHours: 40, maxDriftHoursPerDay: 24, maxBurst: 2000 }),
  }),
);

/*
 * One input without lanes (HTTP, one receiver's feed): whole vessels one after another in random order, or
 * one vessel's whole track last — each vessel's own reports in order, the input's clock far ahead of the
 * vessel replayed behind it. Tracks end at different times (three vessels in four fall silent 6, 12 or 18 h
 * before the end), so a vessel replayed behind the others has silences and open runs to be judged on the
 * input's clock. Compared with the same single input in event-time order, flags' evidence, dates and
 * figures included.
 */
const HOUR = 3_600_000;
const fleetVessels = [...new Set(fleet.map((e) => e.subject ?? e.id))].sort();
const silentFrom = (mmsi: string) => Date.parse(START) + (30 - (fleetVessels.indexOf(mmsi) % 4) * 6) * HOUR;
const single: AidEvent[] = fleet
  .filter((e) => eventTimeOf(e) < silentFrom(e.subject ?? e.id))
  .map((e) => ({ ...e, source: RECEIVERS[0] }));
const singleInOrderRun = run(
  [...single].sort((a, b) => eventTimeOf(a) - eventTimeOf(b)).map((event) => ({ event })),
);
const vessels = [...new Set(single.map((e) => e.subject ?? e.id))].sort();

interface Sequence {
  orderSeed: number;
  last?: string;
}

const sequence: fc.Arbitrary<Sequence> = fc.record(
  { orderSeed: fc.integer(), last: fc.constantFrom(...vessels) },
  { requiredKeys: ['orderSeed'] },
);

const inSequence = (s: Sequence): Delivered[] =>
  s.last !== undefined && s.orderSeed % 2 === 0
    ? // Event-time order but for one vessel, whose whole track comes after everything else.
      [
        ...[...single]
          .filter((e) => e.subject !== s.last)
          .sort((a, b) => eventTimeOf(a) - eventTimeOf(b))
          .map((event) => ({ event })),
        ...wholeSubjectsInSequence(
          single.filter((e) => e.subject === s.last),
          () => true,
          { orderSeed: 0, others: 'first' },
        ),
      ]
    : wholeSubjectsInSequence(single, () => true, { orderSeed: s.orderSeed, last: s.last, others: 'first' });

describe('maritime detection does not depend on arrival order (per-vessel order kept)', () => {
  it('one input: whole vessels one after another, or one vessel last — the same open flags, figures included, nothing extra on the way', () => {
    fc.assert(
      fc.property(sequence, (s) => {
        const { openDetail, raisedOnTheWay } = run(inSequence(s));
        expect(openDetail).toEqual(singleInOrderRun.openDetail);
        expect([...raisedOnTheWay].filter((f) => !singleInOrderRun.raisedOnTheWay.has(f))).toEqual([]);
      }),
      { seed, numRuns: Math.ceil(runs / 3) },
    );
  });

  it('one input, whole vessels one after another, across a restart from a snapshot taken anywhere (whole or incremental checkpoints)', () => {
    fc.assert(
      fc.property(
        sequence,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom('whole' as const, 'incremental' as const),
        (s, where, checkpoints) => {
          const events = inSequence(s);
          const { openDetail, raisedOnTheWay } = run(events, Math.floor(where * events.length), checkpoints);
          expect(openDetail).toEqual(singleInOrderRun.openDetail);
          expect([...raisedOnTheWay].filter((f) => !singleInOrderRun.raisedOnTheWay.has(f))).toEqual([]);
        },
      ),
      { seed, numRuns: Math.ceil(runs / 6) },
    );
  });

  it("one input: several vessels' tracks late and interleaved with one another, across a restart — the same open flags, figures included, nothing extra on the way", () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(vessels, { minLength: 2, maxLength: 6 }),
        fc.integer(),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        (late, mergeSeed, where) => {
          const events = lateSubjectsInterleaved(single, late, mergeSeed);
          const restartAt = where === undefined ? -1 : Math.floor(where * events.length);
          const { openDetail, raisedOnTheWay } = run(events, restartAt, 'incremental');
          expect(openDetail).toEqual(singleInOrderRun.openDetail);
          expect([...raisedOnTheWay].filter((f) => !singleInOrderRun.raisedOnTheWay.has(f))).toEqual([]);
        },
      ),
      { seed, numRuns: Math.ceil(runs / 3) },
    );
  });

  it('the planted anomalies are all flagged in event-time order', () => {
    const rules = new Set(inOrder.map((line) => line.split(' ')[0]));
    for (const rule of ['encounter', 'loitering', 'ais-gap', 'draught-change', 'identity-change'])
      expect(rules).toContain(rule);
  });

  it('partitions consumed at any speeds, in bursts, hours apart: the same open flags, nothing extra on the way', () => {
    fc.assert(
      fc.property(delivery, (d) => {
        const { open, raisedOnTheWay } = run(delivered(d));
        expect(open).toEqual(inOrder);
        expect([...raisedOnTheWay].filter((f) => !inOrderRun.raisedOnTheWay.has(f))).toEqual([]);
      }),
      { seed, numRuns: runs },
    );
  });

  it("each receiver's vessels produced at random paces, with the ingestor's caught-up markers between bursts: the same open flags", () => {
    // A lane's clock then runs ahead of vessels it carries, and a marker with a long quiet ends their runs:
    // they are judged on that clock and may look dark for a while (time model 7: an AIS gap raised and
    // filled, an encounter or loitering run closed and continued). What stays open is what event-time order
    // gives.
    fc.assert(
      fc.property(delivery, fc.integer({ min: 1, max: 12 }), (d, bursts) => {
        const events = deliverLanes(fleet, (e) => laneOf(e, d.partitions), d.schedule, {
          bursts,
          caughtUp: true,
          subjectsAtRandomPaces: true,
        });
        expect(run(events).open).toEqual(inOrder);
      }),
      { seed, numRuns: Math.ceil(runs / 3) },
    );
  });

  it('and the same across a restart from a snapshot taken anywhere', () => {
    fc.assert(
      fc.property(delivery, fc.double({ min: 0, max: 1, noNaN: true }), (d, where) => {
        const events = delivered(d);
        expect(run(events, Math.floor(where * events.length)).open).toEqual(inOrder);
      }),
      { seed, numRuns: Math.ceil(runs / 6) },
    );
  });
});
