import {
  accessDenied,
  consignmentDischarged,
  consignmentLoaded,
  consignmentRegistered,
  deliveryRecorded,
  exemptionGranted,
  sha256Of,
  SampleIds,
} from '@aidwatch/domain/testing';
import type { AidEvent } from '@aidwatch/domain';

/**
 * A consignment whose quantity shrinks between discharge and delivery (9,600 → 8,400 cartons), and a
 * monitor turned away at the site, then a later registration in the same programme. `tag` keeps ids unique.
 */
export function shrinkageStory(tag: string): {
  events: AidEvent[];
  consignmentId: string;
  exemptionId: string;
} {
  const exemptionId = `EX-${tag}`;
  const consignmentId = `C-${tag}`;
  const id = (step: string) => `${tag}-${step}`;
  const items = (quantity: number) => [{ itemCode: 'RUTF', quantity }];
  const events: AidEvent[] = [
    exemptionGranted({ id: id('exemption'), subject: exemptionId, data: { exemptionId } }),
    consignmentRegistered({
      id: id('registered'),
      subject: consignmentId,
      data: {
        consignmentId,
        exemptionId,
        billOfLading: `BL-${tag}`,
        items: [{ itemCode: 'RUTF', quantity: 9600, unit: 'carton' }],
      },
    }),
    consignmentLoaded({
      id: id('loaded'),
      subject: consignmentId,
      data: { consignmentId, items: items(9600) },
    }),
    consignmentDischarged({
      id: id('discharged'),
      subject: consignmentId,
      data: { consignmentId, items: items(9600) },
    }),
    deliveryRecorded({
      id: id('delivered'),
      subject: consignmentId,
      data: {
        consignmentId,
        deliveryId: `D-${tag}`,
        items: items(8400),
        documentHash: sha256Of(`delivery-${tag}`),
      },
    }),
    accessDenied({
      id: id('denied'),
      subject: consignmentId,
      data: { consignmentId, siteId: SampleIds.siteId },
    }),
    // The programme's logistics feed moves on (another consignment of the exemption, weeks later): on the
    // clock of the feeds reporting this exemption the distribution window closes, so the delivered total is
    // compared with the discharged quantity. An event of another producer would not move that clock.
    consignmentRegistered({
      id: id('later'),
      subject: `${consignmentId}-next`,
      time: '2024-04-25T00:00:00Z',
      data: {
        consignmentId: `${consignmentId}-next`,
        exemptionId,
        billOfLading: `BL-${tag}-next`,
        items: [{ itemCode: 'RUTF', quantity: 100, unit: 'carton' }],
      },
    }),
  ];
  return { events, consignmentId, exemptionId };
}
