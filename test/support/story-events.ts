import type { AidEvent, ItemQuantity } from '@aidwatch/domain';
import {
  accessDenied,
  consignmentDischarged,
  consignmentLoaded,
  consignmentRegistered,
  deliveryRecorded,
  SampleIds,
  sha256Of,
  verificationReported,
} from '@aidwatch/domain/testing';

/** The two sites of the sample exemption (WFP nutrition, 2024), with where a handheld records a visit. */
export const StorySites = {
  sariwon: { siteId: SampleIds.siteId, lat: 38.5069, lon: 125.7561 },
  haeju: { siteId: 'KP-SHW-HAEJU-NC', lat: 38.0409, lon: 125.7151 },
} as const;
export type StorySite = keyof typeof StorySites;

const items = (quantities: Record<string, number>): ItemQuantity[] =>
  Object.entries(quantities).map(([itemCode, quantity]) => ({ itemCode, quantity }));

/**
 * Events of one consignment under the sample exemption, by their fact times, each with an id of its own.
 * Quantities are per item code (`{ RUTF: 4000 }`).
 */
export function consignmentOf(consignmentId: string) {
  const id = (step: string) => `${consignmentId}/${step}`;
  const base = { subject: consignmentId };
  return {
    registered: (
      time: string,
      quantities: Record<string, number>,
      options: {
        billOfLading?: string;
        exemptionId?: string;
        vessel?: { mmsi: string; imo?: string; name?: string };
        id?: string;
      } = {},
    ): AidEvent =>
      consignmentRegistered({
        ...base,
        id: options.id ?? id('registered'),
        time,
        data: {
          consignmentId,
          exemptionId: options.exemptionId ?? SampleIds.exemptionId,
          billOfLading: options.billOfLading ?? `BL-${consignmentId}`,
          items: items(quantities).map((i) => ({ ...i, unit: i.itemCode === 'VAC-MR' ? 'dose' : 'carton' })),
          ...(options.vessel ? { vessel: options.vessel } : {}),
        },
      }),
    loaded: (
      at: string,
      quantities: Record<string, number>,
      vesselMmsi: string = SampleIds.vesselMmsi,
    ): AidEvent =>
      consignmentLoaded({
        ...base,
        id: id('loaded'),
        time: at,
        data: { consignmentId, items: items(quantities), vesselMmsi, at },
      }),
    discharged: (at: string, quantities: Record<string, number>): AidEvent =>
      consignmentDischarged({
        ...base,
        id: id('discharged'),
        time: at,
        data: { consignmentId, items: items(quantities), at },
      }),
    delivered: (n: number, at: string, site: StorySite, quantities: Record<string, number>): AidEvent =>
      deliveryRecorded({
        ...base,
        id: id(`delivered-${n}`),
        time: at,
        data: {
          consignmentId,
          deliveryId: `${consignmentId}-D${n}`,
          siteId: StorySites[site].siteId,
          lat: StorySites[site].lat,
          lon: StorySites[site].lon,
          items: items(quantities),
          documentHash: sha256Of(`goods received note ${consignmentId}/${n}`),
          at,
        },
      }),
    verified: (n: number, at: string, site: StorySite, quantities: Record<string, number>): AidEvent =>
      verificationReported({
        ...base,
        id: id(`verified-${n}`),
        time: at,
        data: {
          consignmentId,
          verificationId: `${consignmentId}-V${n}`,
          siteId: StorySites[site].siteId,
          lat: StorySites[site].lat + 0.0003,
          lon: StorySites[site].lon - 0.0002,
          observed: items(quantities),
          at,
        },
      }),
    denied: (n: number, at: string, site: StorySite, reason: string): AidEvent =>
      accessDenied({
        ...base,
        id: id(`denied-${n}`),
        time: at,
        data: { consignmentId, siteId: StorySites[site].siteId, reason, at },
      }),
  };
}
