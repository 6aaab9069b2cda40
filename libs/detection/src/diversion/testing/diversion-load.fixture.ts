import type { AidEvent } from '@aidwatch/domain';
import {
  accessDenied,
  consignmentArrived,
  consignmentDeparted,
  consignmentDischarged,
  consignmentLoaded,
  consignmentRegistered,
  custodyTransferred,
  deliveryRecorded,
  exemptionGranted,
  sha256Of,
  verificationReported,
} from './diversion-harness';
import { factTimeOf } from '../consignment-facts';

const HOUR = 3_600_000;
const start = Date.parse('2024-03-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const site = (e: number, s: number) => ({
  siteId: `S-${e}-${s}`,
  name: `Site ${s} of exemption ${e}`,
  lat: 38 + e * 0.1,
  lon: 125 + s * 0.2,
  radiusKm: 3,
});

/**
 * A synthetic season: `consignments` consignments spread over `exemptions` exemptions, 20 events each
 * (registration, load, departure, arrival, discharge, 2 handovers, 6 deliveries to 3 sites, 6 verifications
 * accounting for each site's deliveries, 1 denied
 * visit), in event-time order. Every 10th consignment loses 5 % at discharge; every 7th is never verified at
 * its first site.
 */
export function syntheticSeason(consignments: number, exemptions = 10): AidEvent[] {
  const events: AidEvent[] = [];
  for (let e = 0; e < exemptions; e++) {
    const exemptionId = `EX-${e}`;
    events.push(
      exemptionGranted({
        id: `grant-${e}`,
        subject: exemptionId,
        time: '2024-02-01T00:00:00Z',
        data: {
          exemptionId,
          validFrom: '2024-02-01T00:00:00Z',
          validUntil: '2025-12-31T00:00:00Z',
          items: [{ itemCode: 'RUTF', description: 'RUTF', unit: 'carton', quantity: 10_000_000 }],
          sites: [0, 1, 2].map((s) => site(e, s)),
        },
      }),
    );
  }
  for (let i = 0; i < consignments; i++) {
    const c = `C-${String(i).padStart(5, '0')}`;
    const e = i % exemptions;
    const t0 = start + i * HOUR;
    const at = (h: number) => iso(t0 + h * HOUR);
    const base = (step: string, h: number) => ({ id: `${c}-${step}`, subject: c, time: at(h) });
    const rutf = (quantity: number) => [{ itemCode: 'RUTF', quantity }];
    const discharged = i % 10 === 0 ? 5700 : 6000;
    events.push(
      consignmentRegistered({
        ...base('registered', 0),
        data: {
          consignmentId: c,
          exemptionId: `EX-${e}`,
          billOfLading: `BL-${c}`,
          items: [{ itemCode: 'RUTF', quantity: 6000, unit: 'carton' }],
        },
      }),
      consignmentLoaded({ ...base('loaded', 24), data: { consignmentId: c, items: rutf(6000), at: at(24) } }),
      consignmentDeparted({ ...base('departed', 30), data: { consignmentId: c, at: at(30) } }),
      consignmentArrived({ ...base('arrived', 72), data: { consignmentId: c, at: at(72) } }),
      consignmentDischarged({
        ...base('discharged', 80),
        data: { consignmentId: c, items: rutf(discharged), at: at(80) },
      }),
      custodyTransferred({
        ...base('custody-1', 90),
        data: {
          consignmentId: c,
          from: 'Port warehouse',
          to: 'Province depot',
          items: rutf(discharged),
          documentHash: sha256Of(`${c}-wb1`),
          at: at(90),
        },
      }),
      custodyTransferred({
        ...base('custody-2', 100),
        data: {
          consignmentId: c,
          from: 'Province depot',
          to: 'County depot',
          items: rutf(discharged),
          documentHash: sha256Of(`${c}-wb2`),
          at: at(100),
        },
      }),
    );
    for (let d = 0; d < 6; d++) {
      const s = site(e, d % 3);
      const deliveryId = `${c}-D${d}`;
      events.push(
        deliveryRecorded({
          ...base(`delivered-${d}`, 120 + d * 12),
          data: {
            deliveryId,
            consignmentId: c,
            siteId: s.siteId,
            lat: s.lat,
            lon: s.lon,
            items: rutf(discharged / 6),
            documentHash: sha256Of(deliveryId),
            at: at(120 + d * 12),
          },
        }),
      );
    }
    for (let v = 0; v < 6; v++) {
      const s = site(e, v % 3);
      const siteId = i % 7 === 0 && v % 3 === 0 ? site(e, 1).siteId : s.siteId;
      events.push(
        verificationReported({
          ...base(`verified-${v}`, 300 + v * 24),
          data: {
            verificationId: `${c}-V${v}`,
            consignmentId: c,
            siteId,
            lat: s.lat,
            lon: s.lon,
            observed: rutf(discharged / 3),
            finding: 'consistent',
            at: at(300 + v * 24),
          },
        }),
      );
    }
    events.push(
      accessDenied({
        ...base('denied', 500),
        data: { consignmentId: c, siteId: site(e, 2).siteId, at: at(500) },
      }),
    );
  }
  return events.sort((a, b) => factTimeOf(a) - factTimeOf(b) || (a.id < b.id ? -1 : 1));
}
