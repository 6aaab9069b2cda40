import type { AidEvent } from '@aidwatch/domain';
import { faoConsignments, waterConsignments } from './demo-farm-and-water-consignments';
import { unicefConsignments, whoConsignments } from './demo-health-consignments';
import { wfpConsignments } from './demo-wfp-consignments';

/** Twenty consignments under five exemptions: eleven clean, nine with planted problems. */
export function consignmentEvents(): AidEvent[] {
  return [
    ...wfpConsignments(),
    ...unicefConsignments(),
    ...faoConsignments(),
    ...whoConsignments(),
    ...waterConsignments(),
  ].flatMap((s) => s.events);
}
