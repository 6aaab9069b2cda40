import type { AidEvent, Flag } from '@aidwatch/domain';
import { defaultDetectionConfig } from '../detection-config';
import { DetectionEngine } from '../detection-engine';
import {
  consignmentRegistered,
  deliveryRecorded,
  exemptionGranted,
  SampleIds,
  sha256Of,
  verificationReported,
} from './testing/diversion-harness';

// A monitors' partition whose first records were fetched while a burst of the logistics topic is consumed
// (docs/time-model.md 5, "An input whose partition still has records pending"): it has not reported any
// consignment of this programme yet, but it may still bring the missing verification, so it holds the
// consignment's judgement about something missing until it has delivered what it had pending.

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const LOGISTICS = '/org/wfp/logistics/dprk';
const FIELD = '/org/wfp/field/dprk';
const MONITORS = '/org/wfp/monitoring/dprk';
const CONSIGNMENTS = 'aid.consignments.v1/0';
const DELIVERIES = 'aid.deliveries.v1/0';
const VERIFICATIONS = 'aid.verifications.v1/0';

const delivery = deliveryRecorded({ source: FIELD });
const deliveredAt = Date.parse(delivery.data.at);

/** A verification by the monitors' feed, `days` after the delivery, of `consignmentId` at the sample site. */
const verification = (id: string, consignmentId: string, days: number): AidEvent =>
  verificationReported({
    id,
    source: MONITORS,
    subject: consignmentId,
    time: iso(deliveredAt + days * DAY),
    data: { verificationId: `VER-${id}`, consignmentId, at: iso(deliveredAt + days * DAY) },
  });

/**
 * The programme's logistics and field feeds running on, up to `toDay` after the delivery: other consignments
 * registered and delivered every other day (each pending count the rest of its own partition).
 */
function feedsRunningOn(toDay: number): Step[] {
  const registrations: Step[] = [];
  const deliveries: Step[] = [];
  for (let d = 1; d <= toDay; d += 2) {
    const consignmentId = `CSG-NEXT-${d}`;
    const at = iso(deliveredAt + d * DAY);
    registrations.push({
      event: consignmentRegistered({
        id: `reg-${d}`,
        source: LOGISTICS,
        subject: consignmentId,
        time: at,
        data: { consignmentId, billOfLading: `BL-NEXT-${d}` },
      }),
      lane: CONSIGNMENTS,
      pending: 0,
    });
    deliveries.push({
      event: deliveryRecorded({
        id: `dlv-${d}`,
        source: FIELD,
        subject: consignmentId,
        time: at,
        data: { consignmentId, deliveryId: `DLV-NEXT-${d}`, at, documentHash: sha256Of(`GRN NEXT-${d}`) },
      }),
      lane: DELIVERIES,
      pending: 0,
    });
  }
  const out: Step[] = [];
  registrations.forEach((r, i) => {
    out.push(
      { ...r, pending: registrations.length - 1 - i },
      { ...deliveries[i], pending: deliveries.length - 1 - i },
    );
  });
  return out;
}

interface Step {
  event: AidEvent;
  lane: string;
  pending: number;
}

function run(steps: readonly Step[]): Flag[] {
  const engine = new DetectionEngine();
  const raised: Flag[] = [];
  engine.handle(exemptionGranted(), 'aid.reference.v1/0', 0);
  for (const { event, lane, pending } of steps) raised.push(...engine.handle(event, lane, pending).raised);
  return overdue(raised);
}

const overdue = (flags: readonly Flag[]) =>
  flags.filter((f) => f.rule === 'verification-overdue' && f.subject.id === SampleIds.consignmentId);

describe('a partition still delivering what it had pending holds every consignment it may report', () => {
  const registration: Step = {
    event: consignmentRegistered({ source: LOGISTICS }),
    lane: CONSIGNMENTS,
    pending: 0,
  };
  const delivered: Step = { event: delivery, lane: DELIVERIES, pending: 0 };
  // The monitors' partition: a verification of another programme's consignment first, this one's 40 days on.
  const first = (pending: number): Step => ({
    event: verification('ver-other', 'CSG-OTHER-1', -10),
    lane: VERIFICATIONS,
    pending,
  });
  const ours: Step = {
    event: verification('ver-ours', SampleIds.consignmentId, 40),
    lane: VERIFICATIONS,
    pending: 0,
  };
  const burst = feedsRunningOn(120);

  it("its first record fetched with records pending: no overdue flag while its programme's other feeds run ahead", () => {
    expect(run([registration, delivered, first(1), ...burst, ours])).toEqual([]);
  });

  it('the same partition with nothing pending (it had stopped): the other feeds move the clock and the flag is raised', () => {
    // Without the pending count the monitors' feed is known only by what it delivered: it does not hold a
    // programme it never reported, so the other feeds make the delivery overdue before the verification.
    expect(run([registration, delivered, first(0), ...burst, ours])).not.toEqual([]);
  });

  it('once the partition has delivered what it had pending, the consignment follows its own feeds again', () => {
    const drained: Step = { ...first(0), event: verification('ver-other-2', 'CSG-OTHER-1', -9) };
    const flags = run([registration, delivered, first(1), drained, ...burst]);
    expect(flags.length).toBeGreaterThan(0);
  });

  it('a restart from a checkpoint keeps the partition holding', () => {
    const engine = new DetectionEngine();
    engine.handle(exemptionGranted(), 'aid.reference.v1/0', 0);
    for (const s of [registration, delivered, first(1)]) engine.handle(s.event, s.lane, s.pending);
    const restored = DetectionEngine.restore(
      JSON.parse(JSON.stringify(engine.snapshot())),
      defaultDetectionConfig(),
      [],
    );
    const raised: Flag[] = [];
    for (const s of [...burst, ours]) raised.push(...restored.handle(s.event, s.lane, s.pending).raised);
    expect(overdue(raised)).toEqual([]);
  });
});
