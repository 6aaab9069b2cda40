import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { DetectionEngine, defaultDetectionConfig, eventTimeOf } from '@aidwatch/detection';
import { EventTypes, type AidEvent, type Flag } from '@aidwatch/domain';
import { defaultPorts } from '@aidwatch/maritime';
import {
  deliverLanes,
  flagLine,
  laneOf,
  laneSchedules,
  PositionLog,
  type Delivered,
  type LaneSchedule,
} from '@aidwatch/detection/testing';
import { DemoCast, demoScenario } from '../../apps/aidwatch/src/demo/demo-scenario';

/*
 * The demo's 1,877 events delivered as Kafka delivers them to a running service: every topic split into
 * partitions by message key (each vessel's and each consignment's events keep their order), the lanes
 * interleaved at random, in bursts of up to 2,000 events, each lane up to 10 days behind and drifting —
 * so AIS partitions of one receiver run hours apart, and paperwork and listings come late, after the
 * positions. The open flags at the end (rule, subject, id) equal event-time order's, the flagship encounter
 * of the carrier with the designated partner and its designated-vessel flag included; a vessel flag raised
 * on the way is one event-time order raises too, but for the aid on board it may name none yet: paperwork
 * that comes later supersedes it (time model 9). Consignment flags are compared at the end only: a feed that has not delivered anything yet
 * holds no consignment back, so a monitors' partition consumed after a burst of the logistics topic can
 * raise `verification-overdue` on the way and clear it when the verification comes. Runs: a fault in one delivery of twenty is caught with probability > 99.99 % (200 runs).
 * FC_SEED reproduces a run (fast-check prints seed and path on failure); FC_RUNS overrides the count.
 */

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261206;
const runs = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 200;
const DAY = 86_400_000;

const events = demoScenario() as AidEvent[];
const ports = events.filter((e) => e.type === EventTypes.PortDeclared);
const rest = events.filter((e) => e.type !== EventTypes.PortDeclared);
const horizon = Math.max(...events.map(eventTimeOf)) + 120 * DAY;

function run(delivered: readonly Delivered[]) {
  const engine = new DetectionEngine(defaultDetectionConfig(), defaultPorts());
  const history = new PositionLog();
  const open = new Map<string, Flag>();
  const raised = new Set<string>();
  const apply = (c: ReturnType<DetectionEngine['handle']>) => {
    for (const f of c.raised) {
      open.set(f.flagId, f);
      if (f.subject.kind === 'vessel') raised.add(withoutAid(f));
    }
    for (const f of c.cleared) open.delete(f.flagId);
  };
  for (const e of ports) apply(engine.handle(e));
  for (const { event, lane } of delivered) {
    apply(engine.handle(event, lane));
    // Late paperwork judges the carrier's corridor again over the positions delivered so far.
    history.record(event);
    apply(engine.replayRoutes(history));
  }
  apply(engine.advanceWatermark(horizon));
  const openFlags = [...open.values()];
  return {
    open: openFlags.map(flagLine).sort(),
    openFlags,
    onTheWay: [...raised],
  };
}

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
  schedule: LaneSchedule;
}

const delivery: fc.Arbitrary<Delivery> = fc.record({
  partitions: fc.integer({ min: 1, max: 8 }),
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
      fc.property(delivery, ({ partitions, schedule }) => {
        const delivered = deliverLanes(rest, (e) => laneOf(e, partitions), schedule);
        const { open, onTheWay } = run(delivered);
        expect(open).toEqual(inOrder.open);
        expect(onTheWay.filter((line) => !inOrderLines.has(line))).toEqual([]);
      }),
      { seed, numRuns: runs },
    );
  });
});
