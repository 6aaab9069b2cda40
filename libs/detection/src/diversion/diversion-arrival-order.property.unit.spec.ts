import fc from 'fast-check';
import { EventTypes, type AidEvent } from '@aidwatch/domain';
import { defaultDetectionConfig } from '../detection-config';
import { DetectionEngine } from '../detection-engine';
import { partitionOf, type Delivered } from '../testing/delivery-lanes';
import { runDelivery } from '../testing/run-delivery';
import { seededRandom } from './testing/diversion-harness';
import { storyEvents, storyOpenFlags } from './testing/diversion-story.fixture';

/*
 * Arrival order never changes a consignment flag. The consignment stories (three programmes, their
 * logistics, field and monitoring feeds, the committee's grants) are delivered as Kafka delivers them: each
 * consignment's events keep their order (keyed by consignment, one partition), the partitions are consumed
 * at different speeds — bursts of up to 500, partitions up to 2.5 days apart (within the 3-day idle bound of
 * consignment feeds, beyond which a silent feed stops holding the others: time model 5) — and the reference
 * data
 * (grants, ports) comes first. Each event is handed to detection with the lane it came by, as the projection
 * does from the stored metadata. The open flags at the end equal those of event-time order, and nothing is
 * raised on the way that event-time order would not raise.
 */

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261205;
const DAY = 86_400_000;

const timeOf = (e: AidEvent) => Date.parse((e.data as { at?: string }).at ?? e.time);
const reference = new Set<string>([EventTypes.PortDeclared, EventTypes.ExemptionGranted]);
const keyOf = (e: AidEvent) =>
  (e.data as { consignmentId?: string; mmsi?: string; exemptionId?: string }).consignmentId ??
  (e.data as { mmsi?: string }).mmsi ??
  (e.data as { exemptionId?: string }).exemptionId ??
  e.id;

interface Delivery {
  partitions: number;
  /** How far (days of event time) a partition may run ahead of the slowest one with data left. */
  maxLeadDays: number;
  burst: number;
  mergeSeed: number;
}

const prelude: Delivered[] = storyEvents
  .filter((e) => reference.has(e.type))
  .map((event) => ({ event, lane: 'aid.reference.v1/0' }));
const rest = storyEvents.filter((e) => !reference.has(e.type));

function delivered(d: Delivery): Delivered[] {
  const lanes: Delivered[][] = Array.from({ length: d.partitions }, () => []);
  for (const event of [...rest].sort((a, b) => timeOf(a) - timeOf(b))) {
    const p = partitionOf(keyOf(event), d.partitions);
    lanes[p].push({ event, lane: `aid.consignments.v1/${p}` });
  }
  const random = seededRandom(d.mergeSeed);
  const out: Delivered[] = [...prelude];
  const open = lanes.map((_, i) => i).filter((i) => lanes[i].length > 0);
  while (open.length > 0) {
    // Any partition may go next while it stays within the lead of the slowest; it takes a burst.
    const limit = Math.min(...open.map((i) => timeOf(lanes[i][0].event))) + d.maxLeadDays * DAY;
    const ready = open.filter((i) => timeOf(lanes[i][0].event) <= limit);
    const lane = ready[Math.floor(random() * ready.length)];
    const n = 1 + Math.floor(random() * d.burst);
    for (let k = 0; k < n && lanes[lane].length > 0 && timeOf(lanes[lane][0].event) <= limit; k++)
      out.push(lanes[lane].shift()!);
    if (lanes[lane].length === 0) open.splice(open.indexOf(lane), 1);
  }
  return out;
}

const horizon = Math.max(...storyEvents.map(timeOf)) + 120 * DAY;
const run = (events: readonly Delivered[]) =>
  runDelivery(
    () => new DetectionEngine(),
    (saved) => DetectionEngine.restore(saved, defaultDetectionConfig(), []),
    [],
    events,
    horizon,
  );

// Event-time order: one lane per source, as a single in-order feed would be.
const inOrderRun = run(
  [...storyEvents].sort((a, b) => timeOf(a) - timeOf(b)).map((event) => ({ event, lane: 'in-order/0' })),
);
const inOrder = inOrderRun.open;

const delivery: fc.Arbitrary<Delivery> = fc.integer({ min: 2, max: 6 }).chain((partitions) =>
  fc.record({
    partitions: fc.constant(partitions),
    // Within the idle bound of consignment feeds (DETECTION_INPUT_IDLE_DAYS, 3 days): time model 5.
    maxLeadDays: fc.double({ min: 0, max: 2.5, noNaN: true }),
    burst: fc.oneof(fc.constantFrom(1, 5, 100, 500), fc.integer({ min: 1, max: 500 })),
    mergeSeed: fc.integer(),
  }),
);

describe('consignment detection does not depend on arrival order (per-consignment order kept)', () => {
  it("event-time order finds the stories' flags", () => {
    const rules = new Set(inOrder.map((l) => l.split(' ')[0]));
    for (const [rule] of storyOpenFlags) expect(rules).toContain(rule);
  });

  it('partitions consumed at any speeds, in bursts, up to 2.5 days apart: the same open flags, nothing extra on the way', () => {
    fc.assert(
      fc.property(delivery, (d) => {
        const { open, raisedOnTheWay } = run(delivered(d));
        expect(open).toEqual(inOrder);
        expect([...raisedOnTheWay].filter((f) => !inOrderRun.raisedOnTheWay.has(f))).toEqual([]);
      }),
      { seed, numRuns: 300 },
    );
  });
});
