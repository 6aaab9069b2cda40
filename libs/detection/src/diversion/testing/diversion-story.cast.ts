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
  SamplePorts,
  sha256Of,
  verificationReported,
} from './diversion-harness';

/*
 * The cast of the diversion story (`diversion-story.fixture`): its exemptions, sites and vessels, and the
 * events each of its consignments may have.
 */

export const StoryExemptions = {
  wfp: '1718-EX-2024-031',
  unicef: '1718-EX-2024-044',
  fao: '1718-EX-2024-052',
  unknown: '1718-EX-2024-999',
};

export const sites = {
  sariwon: {
    siteId: 'KP-SHW-SARIWON-PH',
    name: 'Sariwon Provincial Paediatric Hospital',
    lat: 38.5072,
    lon: 125.7558,
    radiusKm: 2,
  },
  haeju: {
    siteId: 'KP-SHW-HAEJU-NC',
    name: 'Haeju Nursery Centre',
    lat: 38.0406,
    lon: 125.7147,
    radiusKm: 2,
  },
  hamhung: {
    siteId: 'KP-SHG-HAMHUNG-PH',
    name: 'Hamhung Provincial Paediatric Hospital',
    lat: 39.9184,
    lon: 127.5364,
    radiusKm: 3,
  },
  pyongyang: {
    siteId: 'KP-PY-CVS',
    name: 'Pyongyang Central Vaccine Store',
    lat: 39.0392,
    lon: 125.7625,
    radiusKm: 3,
  },
  wonsan: {
    siteId: 'KP-KW-WONSAN-CH',
    name: 'Wonsan County Hospital',
    lat: 39.1528,
    lon: 127.4436,
    radiusKm: 2,
  },
  sinchon: {
    siteId: 'KP-SHW-SINCHON-CF',
    name: 'Sinchon Cooperative Farm',
    lat: 38.3556,
    lon: 125.4778,
    radiusKm: 5,
  },
  anju: { siteId: 'KP-SPN-ANJU-CF', name: 'Anju Cooperative Farm', lat: 39.6167, lon: 125.6667, radiusKm: 5 },
};
type Site = (typeof sites)[keyof typeof sites];

export const vessels = {
  chonMaSan: { mmsi: '445123000', imo: '8712345', name: 'CHON MA SAN' },
  sibirskiy: { mmsi: '273456780', imo: '9123456', name: 'SIBIRSKIY 7' },
  haiXing: { mmsi: '413000111', imo: '9345678', name: 'HAI XING 18' },
};

export const goodsReceivedNoteWonsan = sha256Of('goods received note WONSAN-0411');

type Lines = Array<[string, number]>;
export const items = (lines: Lines) => lines.map(([itemCode, quantity]) => ({ itemCode, quantity }));
export const at = (day: string) => `2024-${day}Z`;

/** The events of one consignment, with ids `<consignment>-<step>`. */
export function consignment(c: string) {
  const id = (step: string) => `${c}-${step}`;
  const common = (step: string, when: string) => ({ id: id(step), subject: c, time: at(when) });
  return {
    registered: (
      when: string,
      exemptionId: string,
      billOfLading: string,
      lines: Array<[string, number, string]>,
      vessel: { mmsi: string },
      originPort: string,
    ) =>
      consignmentRegistered({
        ...common('registered', when),
        data: {
          consignmentId: c,
          exemptionId,
          billOfLading,
          items: lines.map(([itemCode, quantity, unit]) => ({ itemCode, quantity, unit })),
          originPort,
          destinationPort: SamplePorts.nampo.locode,
          vessel,
        },
      }),
    loaded: (when: string, port: string, vesselMmsi: string, lines: Lines) =>
      consignmentLoaded({
        ...common('loaded', when),
        data: { consignmentId: c, port, vesselMmsi, items: items(lines), at: at(when) },
      }),
    departed: (when: string, port: string) =>
      consignmentDeparted({ ...common('departed', when), data: { consignmentId: c, port, at: at(when) } }),
    arrived: (when: string) =>
      consignmentArrived({
        ...common('arrived', when),
        data: { consignmentId: c, port: SamplePorts.nampo.locode, at: at(when) },
      }),
    discharged: (when: string, lines: Lines) =>
      consignmentDischarged({
        ...common('discharged', when),
        data: { consignmentId: c, port: SamplePorts.nampo.locode, items: items(lines), at: at(when) },
      }),
    custody: (
      n: number,
      when: string,
      from: string,
      to: string,
      lines: Lines,
      documentHash = sha256Of(`waybill ${c} ${n}`),
    ) =>
      custodyTransferred({
        ...common(`custody-${n}`, when),
        data: { consignmentId: c, from, to, items: items(lines), documentHash, at: at(when) },
      }),
    delivered: (
      deliveryId: string,
      when: string,
      site: Site,
      lines: Lines,
      where = { lat: site.lat + 0.001, lon: site.lon - 0.001 },
      documentHash = sha256Of(`grn ${deliveryId}`),
    ) =>
      deliveryRecorded({
        ...common(`delivered-${deliveryId}`, when),
        data: {
          deliveryId,
          consignmentId: c,
          siteId: site.siteId,
          ...where,
          items: items(lines),
          receivedBy: `Storekeeper, ${site.name}`,
          documentHash,
          at: at(when),
        },
      }),
    verified: (
      verificationId: string,
      when: string,
      site: Site,
      lines: Lines,
      finding: 'consistent' | 'discrepancy' | 'diversion_suspected' = 'consistent',
    ) =>
      verificationReported({
        ...common(`verified-${verificationId}`, when),
        data: {
          verificationId,
          consignmentId: c,
          siteId: site.siteId,
          monitorId: 'MON-017',
          lat: site.lat,
          lon: site.lon,
          observed: items(lines),
          finding,
          at: at(when),
        },
      }),
    denied: (n: number, when: string, site: Site) =>
      accessDenied({
        ...common(`denied-${n}`, when),
        data: {
          consignmentId: c,
          siteId: site.siteId,
          monitorId: 'MON-017',
          reason: 'Visit cancelled by county officials',
          at: at(when),
        },
      }),
  };
}

/** A producer's correction: the same record sent again, recorded later under a new event id. */
export const corrected = <E extends AidEvent>(event: E, recordedAt: string): E => ({
  ...event,
  id: `${event.id}-corrected`,
  time: at(recordedAt),
});
