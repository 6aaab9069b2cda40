import type { ConsignmentRegistered } from '@aidwatch/domain';
import { consignmentRegistered } from '../../../domain/src/testing';

/**
 * `count` registrations under the sample exemption (12,000 RUTF authorised), one a minute from 20 March
 * 2024 in index order, each of `quantityOf(i)` cartons of RUTF, ids `<prefix>-0000`, `<prefix>-0001`, …
 */
export function programmeRegistrations(
  prefix: string,
  count: number,
  quantityOf: (i: number) => number,
): ConsignmentRegistered[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `${prefix}-${String(i).padStart(4, '0')}`;
    return consignmentRegistered({
      id: `reg-${id}`,
      subject: id,
      time: new Date(Date.UTC(2024, 2, 20) + i * 60_000).toISOString(),
      data: {
        consignmentId: id,
        billOfLading: `BL-${id}`,
        items: [{ itemCode: 'RUTF', quantity: quantityOf(i), unit: 'carton' }],
      },
    });
  });
}
