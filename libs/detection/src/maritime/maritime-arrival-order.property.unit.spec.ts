import fc from 'fast-check';
import type { AidEvent } from '@aidwatch/domain';
import { defaultPorts, portDeclaredEvents, simulateTraffic } from '@aidwatch/maritime';
import { defaultDetectionConfig } from '../detection-config';
import { DetectionEngine } from '../detection-engine';
import { partitionOf, runDelivery, type Delivered } from '../testing/delivery-lanes';
import { seededRandom } from '../diversion/testing/diversion-harness';

/*
 * Arrival order never changes a maritime flag. One simulated fleet with planted anomalies (an encounter at
 * sea, loitering, an AIS gap, a draught change, identity changes) is delivered as Kafka would deliver it:
 * the positions of each vessel keep their order (one key, one partition), the partitions are consumed at
 * different speeds — bursts, one partition hours behind the others, or a whole partition after the rest —
 * all from the one receiver's CloudEvents source. After every input has reached one common horizon, the
 * open flags (rule, subject, id) equal those of the same events delivered in event-time order.
 */

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261204;
const START = '2026-11-01T00:00:00Z';
const DAY = 86_400_000;
const HOUR = 3_600_000;

const sim = simulateTraffic({ vessels: 21, hours: 30, seed: 7, downsample: 6, start: START });
const fleet: AidEvent[] = [...sim.events()];
const ports = portDeclaredEvents({ time: START });
const horizon = Date.parse(START) + 40 * DAY;
const timeOf = (e: AidEvent) => Date.parse((e.data as { at?: string }).at ?? e.time);

/** A vessel's key: its MMSI, as the producer keys AIS messages. */
const keyOf = (e: AidEvent) => (e.data as { mmsi?: string }).mmsi ?? e.id;

interface Delivery {
  partitions: number;
  /** Per partition: how far (hours of event time) it runs behind the fastest. */
  lagHours: number[];
  /** Largest burst one partition delivers before another gets a turn. */
  burst: number;
  mergeSeed: number;
}

/**
 * The fleet's events split into `partitions` by key (each partition in event-time order, as produced), then
 * consumed as a consumer with uneven partitions would: each partition's events are due at their event time
 * plus its lag, and the consumer takes bursts of random length from a random partition among those whose
 * next event is due.
 */
function delivered(d: Delivery): Delivered[] {
  const lanes: Delivered[][] = Array.from({ length: d.partitions }, () => []);
  for (const event of fleet) {
    const p = partitionOf(keyOf(event), d.partitions);
    lanes[p].push({ event, lane: `ais.positions.v1/${p}` });
  }
  const random = seededRandom(d.mergeSeed);
  const due = (lane: number) => timeOf(lanes[lane][0].event) + d.lagHours[lane] * HOUR;
  const out: Delivered[] = [];
  const open = lanes.map((_, i) => i).filter((i) => lanes[i].length > 0);
  while (open.length > 0) {
    const earliest = Math.min(...open.map(due));
    // Any partition whose next event is due within the next half hour of consumer progress may go next.
    const ready = open.filter((i) => due(i) <= earliest + HOUR / 2);
    const lane = ready[Math.floor(random() * ready.length)];
    const n = 1 + Math.floor(random() * d.burst);
    for (let k = 0; k < n && lanes[lane].length > 0; k++) out.push(lanes[lane].shift()!);
    if (lanes[lane].length === 0) open.splice(open.indexOf(lane), 1);
  }
  return out;
}

function run(events: readonly Delivered[], restartAt = -1) {
  return runDelivery(
    () => new DetectionEngine(defaultDetectionConfig(), defaultPorts()),
    (saved) => DetectionEngine.restore(saved, defaultDetectionConfig(), defaultPorts()),
    ports,
    events,
    horizon,
    restartAt,
  );
}

const inOrderRun = run(
  [...fleet].sort((a, b) => timeOf(a) - timeOf(b)).map((event) => ({ event, lane: 'ais.positions.v1/0' })),
);
const inOrder = inOrderRun.open;

const delivery: fc.Arbitrary<Delivery> = fc.integer({ min: 2, max: 6 }).chain((partitions) =>
  fc.record({
    partitions: fc.constant(partitions),
    lagHours: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 })), {
      minLength: partitions,
      maxLength: partitions,
    }),
    burst: fc.constantFrom(1, 20, 500),
    mergeSeed: fc.integer(),
  }),
);

describe('maritime detection does not depend on arrival order (per-vessel order kept)', () => {
  it('the planted anomalies are all flagged in event-time order', () => {
    const rules = new Set(inOrder.map((line) => line.split(' ')[0]));
    for (const rule of ['encounter', 'loitering', 'ais-gap', 'draught-change', 'identity-change'])
      expect(rules).toContain(rule);
  });

  it('partitions consumed at any speeds, in bursts, hours apart: the same open flags', () => {
    fc.assert(
      fc.property(delivery, (d) => {
        const { open, raisedOnTheWay } = run(delivered(d));
        expect(open).toEqual(inOrder);
        // Nothing raised on the way that event-time order would not raise (no false alert cleared later).
        expect([...raisedOnTheWay].filter((f) => !inOrderRun.raisedOnTheWay.has(f))).toEqual([]);
      }),
      { seed, numRuns: 12 },
    );
  });

  it('and the same across a restart from a snapshot taken anywhere', () => {
    fc.assert(
      fc.property(delivery, fc.double({ min: 0, max: 1, noNaN: true }), (d, where) => {
        const events = delivered(d);
        expect(run(events, Math.floor(where * events.length)).open).toEqual(inOrder);
      }),
      { seed, numRuns: 4 },
    );
  });
});
