import type { AidEvent } from '@aidwatch/domain';
import {
  consignmentLoaded,
  consignmentRegistered,
  deliveryRecorded,
  exemptionGranted,
  portDeclared,
  vesselDesignated,
} from '@aidwatch/domain/testing';
import { defaultDetectionConfig } from './detection-config';
import { DetectionEngine } from './detection-engine';
import { caughtUpMarker } from './testing/delivery-lanes';

// One Kafka partition carries events both detectors fold (the reference topic: port declarations, grants,
// designations). Its newest event decides whether the partition still delivers (time model 5), whichever
// detector folds that event: a grant fetched with records pending, followed by designations only the
// maritime side reads, must not leave the programme's feeds "delivering" — and never idle — for good.

const REFERENCE = 'aid.reference.v1/0';
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

function story(designationPending: number | undefined): {
  verificationOverdue: boolean;
  engine: DetectionEngine;
} {
  const engine = new DetectionEngine(defaultDetectionConfig(), []);
  let overdue = false;
  const fold = (event: AidEvent, lane?: string, pending?: number) => {
    for (const f of engine.handle(event, lane, pending).raised)
      if (f.rule === 'verification-overdue') overdue = true;
  };
  const grant = exemptionGranted();
  const start = Date.parse(grant.data.validFrom);
  fold(portDeclared(), REFERENCE, 3);
  fold(grant, REFERENCE, 2);
  // Records after the grant on its partition that only the maritime detector folds.
  fold(vesselDesignated({ id: 'designated-a' }), REFERENCE, 1);
  fold(vesselDesignated({ id: 'designated-b' }), REFERENCE, designationPending);
  fold(consignmentRegistered(), 'aid.consignments.v1/0', 0);
  fold(consignmentLoaded(), 'aid.consignments.v1/0', 0);
  const delivered = start + 20 * DAY;
  fold(deliveryRecorded({ data: { at: iso(delivered) }, time: iso(delivered) }), 'aid.deliveries.v1/0', 0);
  // The logistics feed stops (its partition's marker says so); the field feed goes on for two months with
  // other consignments' deliveries.
  const marker = caughtUpMarker('aid.consignments.v1/0', 1);
  fold(marker.event, marker.lane, marker.pending);
  for (let day = 1; day <= 60; day++) {
    const at = delivered + day * DAY;
    fold(
      deliveryRecorded({
        id: `later-${day}`,
        subject: `CSG-OTHER-${day}`,
        time: iso(at),
        data: { consignmentId: `CSG-OTHER-${day}`, deliveryId: `DLV-OTHER-${day}`, at: iso(at) },
      }),
      'aid.deliveries.v1/0',
      0,
    );
  }
  return { verificationOverdue: overdue, engine };
}

describe('a partition shared by both detectors', () => {
  it('its newest event, folded by the maritime side, ends its "delivering" for the consignment side too', () => {
    const { verificationOverdue, engine } = story(0);
    expect(verificationOverdue).toBe(true);
    const inputs = [...engine.diversion.clocks.values()];
    expect(inputs.some((i) => engine.diversion.clocks.isDelivering(i))).toBe(false);
  });

  it('while that newest event still had records pending, the feeds are held (nothing is released early)', () => {
    const { engine } = story(5);
    const inputs = [...engine.diversion.clocks.values()];
    expect(inputs.every((i) => engine.diversion.clocks.isDelivering(i))).toBe(true);
  });
});
