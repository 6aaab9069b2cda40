import { createHash } from 'node:crypto';
import type { CloudEvent } from '../cloud-event';
import { EventTypes } from '../event-types';
import { subjectsOf } from '../validation/cross-field-rules';
import type {
  AccessDenied,
  AidEvent,
  ConsignmentArrived,
  ConsignmentDeparted,
  ConsignmentDischarged,
  ConsignmentLoaded,
  ConsignmentRegistered,
  CustodyTransferred,
  DeliveryRecorded,
  ExemptionGranted,
  ExemptionRevoked,
  InputClosed,
  InputBounded,
  PortDeclared,
  VerificationReported,
  VesselDesignated,
  VesselDesignationRevoked,
  VesselPositionReported,
  VesselStaticReported,
} from '../events';

/** Envelope attributes and extensions to replace, and `data` fields to merge over the sample's. */
export type SampleOverrides<D> = {
  id?: string;
  source?: string;
  time?: string;
  subject?: string;
  data?: Partial<D>;
  [attribute: string]: unknown;
};

/** A deterministic SHA-256 hex digest, for document hashes and evidence. */
export const sha256Of = (text: string): string => createHash('sha256').update(text).digest('hex');

// One coherent story: WFP nutrition aid under a 1718 Committee exemption, Dalian → Nampo by sea.
export const SampleIds = {
  exemptionId: '1718-EX-2024-031',
  consignmentId: 'CSG-2024-0117',
  billOfLading: 'DLCNAM240117',
  vesselMmsi: '445123000',
  vesselImo: '8712348',
  otherVesselMmsi: '352001234',
  siteId: 'KP-SHW-SARIWON-PH',
  monitorId: 'MON-017',
} as const;

export const SamplePorts = {
  nampo: { locode: 'KPNAM', name: 'Nampo', lat: 38.7375, lon: 125.3839 },
  dalian: { locode: 'CNDLC', name: 'Dalian', lat: 38.9236, lon: 121.6503 },
  vladivostok: { locode: 'RUVVO', name: 'Vladivostok', lat: 43.1056, lon: 131.8735 },
} as const;

const RUTF = {
  itemCode: 'RUTF',
  hsCode: '2106.90',
  description: 'Ready-to-use therapeutic food, 150 sachets',
  unit: 'carton',
};
const FBF = {
  itemCode: 'FBF-SC',
  hsCode: '1901.90',
  description: 'Fortified blended food (Super Cereal Plus)',
  unit: 'tonne',
};
const MR_VACCINE = {
  itemCode: 'VAC-MR',
  hsCode: '3002.41',
  description: 'Measles-rubella vaccine, 10-dose vial',
  unit: 'dose',
};

function build<E extends AidEvent>(
  type: E['type'],
  defaults: { id: string; source: string; time: string; subject?: string },
  data: E['data'],
  overrides: SampleOverrides<E['data']> = {},
): E {
  const { data: dataOverrides, ...envelope } = overrides;
  const event: CloudEvent = {
    specversion: '1.0',
    ...defaults,
    type,
    datacontenttype: 'application/json',
    ...envelope,
    data: { ...data, ...dataOverrides },
  };
  // A sample whose data names another record than the default's is about that record: its subject follows
  // the data unless given (a subject that disagrees with data is refused).
  if (!('subject' in envelope) && defaults.subject !== undefined) {
    const subjects = subjectsOf(event as AidEvent);
    if (!subjects.includes(defaults.subject) && subjects[0] !== undefined) event.subject = subjects[0];
  }
  return event as E;
}

const UN = '/un/sc/1718-committee';
const LOGISTICS = '/org/wfp/logistics/dprk';
const FIELD = '/org/wfp/field/dprk';
const MONITORING = '/org/wfp/monitoring/dprk';
const AIS = '/ais/terrestrial/yellow-sea';

export const exemptionGranted = (o?: SampleOverrides<ExemptionGranted['data']>): ExemptionGranted =>
  build<ExemptionGranted>(
    EventTypes.ExemptionGranted,
    { id: 'exemption-granted-031', source: UN, time: '2024-02-12T09:00:00Z', subject: SampleIds.exemptionId },
    {
      exemptionId: SampleIds.exemptionId,
      committeeRef: '1718/EXEMPT/2024/031',
      projectTitle: 'Treatment of severe acute malnutrition in children under five',
      implementingOrg: 'World Food Programme',
      validFrom: '2024-02-15T00:00:00Z',
      validUntil: '2024-08-15T00:00:00Z',
      items: [
        { ...RUTF, quantity: 12000 },
        { ...FBF, quantity: 850 },
        { ...MR_VACCINE, quantity: 200000 },
      ],
      sites: [
        {
          siteId: SampleIds.siteId,
          name: 'Sariwon Provincial Paediatric Hospital',
          lat: 38.5072,
          lon: 125.7558,
          radiusKm: 2,
        },
        { siteId: 'KP-SHW-HAEJU-NC', name: 'Haeju Nursery Centre', lat: 38.0406, lon: 125.7147, radiusKm: 2 },
      ],
    },
    o,
  );

export const exemptionRevoked = (o?: SampleOverrides<ExemptionRevoked['data']>): ExemptionRevoked =>
  build<ExemptionRevoked>(
    EventTypes.ExemptionRevoked,
    { id: 'exemption-revoked-031', source: UN, time: '2024-06-01T12:00:00Z', subject: SampleIds.exemptionId },
    {
      exemptionId: SampleIds.exemptionId,
      reason: 'Implementing organisation lost monitoring access',
      at: '2024-06-01T12:00:00Z',
    },
    o,
  );

export const vesselDesignated = (o?: SampleOverrides<VesselDesignated['data']>): VesselDesignated =>
  build<VesselDesignated>(
    EventTypes.VesselDesignated,
    { id: 'designation-1718-VSL-2018-07', source: UN, time: '2024-01-10T00:00:00Z', subject: '352001234' },
    {
      listRef: '1718-VSL-2018-07',
      name: 'SONG RIM 7',
      imo: '9123453',
      mmsi: SampleIds.otherVesselMmsi,
      at: '2024-01-10T00:00:00Z',
    },
    o,
  );

export const vesselDesignationRevoked = (
  o?: SampleOverrides<VesselDesignationRevoked['data']>,
): VesselDesignationRevoked =>
  build<VesselDesignationRevoked>(
    EventTypes.VesselDesignationRevoked,
    { id: 'delisting-1718-VSL-2018-07', source: UN, time: '2024-09-01T00:00:00Z', subject: '352001234' },
    {
      listRef: '1718-VSL-2018-07',
      name: 'SONG RIM 7',
      imo: '9123453',
      mmsi: SampleIds.otherVesselMmsi,
      reason: 'no longer on the list',
      at: '2024-09-01T00:00:00Z',
    },
    o,
  );

export const portDeclared = (o?: SampleOverrides<PortDeclared['data']>): PortDeclared =>
  build<PortDeclared>(
    EventTypes.PortDeclared,
    { id: 'port-KPNAM', source: LOGISTICS, time: '2024-01-02T00:00:00Z', subject: SamplePorts.nampo.locode },
    { ...SamplePorts.nampo, radiusKm: 8 },
    o,
  );

export const consignmentRegistered = (
  o?: SampleOverrides<ConsignmentRegistered['data']>,
): ConsignmentRegistered =>
  build<ConsignmentRegistered>(
    EventTypes.ConsignmentRegistered,
    {
      id: 'consignment-registered-0117',
      source: LOGISTICS,
      time: '2024-03-01T06:00:00Z',
      subject: SampleIds.consignmentId,
    },
    {
      consignmentId: SampleIds.consignmentId,
      exemptionId: SampleIds.exemptionId,
      billOfLading: SampleIds.billOfLading,
      items: [
        { itemCode: RUTF.itemCode, quantity: 4000, unit: RUTF.unit },
        { itemCode: FBF.itemCode, quantity: 300, unit: FBF.unit },
      ],
      originPort: SamplePorts.dalian.locode,
      destinationPort: SamplePorts.nampo.locode,
      vessel: { mmsi: SampleIds.vesselMmsi, imo: SampleIds.vesselImo, name: 'CHON MA SAN' },
      route: [
        { lat: 38.9236, lon: 121.6503 },
        { lat: 38.45, lon: 123.2 },
        { lat: 38.7375, lon: 125.3839 },
      ],
    },
    o,
  );

const itemsLoaded = [
  { itemCode: RUTF.itemCode, quantity: 4000 },
  { itemCode: FBF.itemCode, quantity: 300 },
];

export const consignmentLoaded = (o?: SampleOverrides<ConsignmentLoaded['data']>): ConsignmentLoaded =>
  build<ConsignmentLoaded>(
    EventTypes.ConsignmentLoaded,
    {
      id: 'consignment-loaded-0117',
      source: LOGISTICS,
      time: '2024-03-04T14:00:00Z',
      subject: SampleIds.consignmentId,
    },
    {
      consignmentId: SampleIds.consignmentId,
      port: SamplePorts.dalian.locode,
      vesselMmsi: SampleIds.vesselMmsi,
      items: itemsLoaded,
      at: '2024-03-04T14:00:00Z',
    },
    o,
  );

export const consignmentDeparted = (o?: SampleOverrides<ConsignmentDeparted['data']>): ConsignmentDeparted =>
  build<ConsignmentDeparted>(
    EventTypes.ConsignmentDeparted,
    {
      id: 'consignment-departed-0117',
      source: LOGISTICS,
      time: '2024-03-05T02:30:00Z',
      subject: SampleIds.consignmentId,
    },
    { consignmentId: SampleIds.consignmentId, port: SamplePorts.dalian.locode, at: '2024-03-05T02:30:00Z' },
    o,
  );

export const consignmentArrived = (o?: SampleOverrides<ConsignmentArrived['data']>): ConsignmentArrived =>
  build<ConsignmentArrived>(
    EventTypes.ConsignmentArrived,
    {
      id: 'consignment-arrived-0117',
      source: LOGISTICS,
      time: '2024-03-07T08:15:00+09:00',
      subject: SampleIds.consignmentId,
    },
    {
      consignmentId: SampleIds.consignmentId,
      port: SamplePorts.nampo.locode,
      at: '2024-03-07T08:15:00+09:00',
    },
    o,
  );

export const consignmentDischarged = (
  o?: SampleOverrides<ConsignmentDischarged['data']>,
): ConsignmentDischarged =>
  build<ConsignmentDischarged>(
    EventTypes.ConsignmentDischarged,
    {
      id: 'consignment-discharged-0117',
      source: LOGISTICS,
      time: '2024-03-08T10:00:00Z',
      subject: SampleIds.consignmentId,
    },
    {
      consignmentId: SampleIds.consignmentId,
      port: SamplePorts.nampo.locode,
      items: [
        { itemCode: RUTF.itemCode, quantity: 3990 },
        { itemCode: FBF.itemCode, quantity: 299.2 },
      ],
      at: '2024-03-08T10:00:00Z',
    },
    o,
  );

export const custodyTransferred = (o?: SampleOverrides<CustodyTransferred['data']>): CustodyTransferred =>
  build<CustodyTransferred>(
    EventTypes.CustodyTransferred,
    {
      id: 'custody-transferred-0117-1',
      source: LOGISTICS,
      time: '2024-03-09T07:00:00Z',
      subject: SampleIds.consignmentId,
    },
    {
      consignmentId: SampleIds.consignmentId,
      from: 'WFP Nampo warehouse',
      to: 'South Hwanghae Provincial Public Health Department',
      items: [
        { itemCode: RUTF.itemCode, quantity: 3990 },
        { itemCode: FBF.itemCode, quantity: 299.2 },
      ],
      documentHash: sha256Of('waybill NAM-SHW-0117'),
      at: '2024-03-09T07:00:00Z',
    },
    o,
  );

export const deliveryRecorded = (o?: SampleOverrides<DeliveryRecorded['data']>): DeliveryRecorded =>
  build<DeliveryRecorded>(
    EventTypes.DeliveryRecorded,
    {
      id: 'delivery-recorded-0117-1',
      source: FIELD,
      time: '2024-03-11T03:00:00Z',
      subject: SampleIds.consignmentId,
    },
    {
      deliveryId: 'DLV-0117-1',
      consignmentId: SampleIds.consignmentId,
      siteId: SampleIds.siteId,
      lat: 38.5069,
      lon: 125.7561,
      items: [{ itemCode: RUTF.itemCode, quantity: 1200 }],
      receivedBy: 'Chief pharmacist, Sariwon Provincial Paediatric Hospital',
      documentHash: sha256Of('goods received note SHW-0117-1'),
      at: '2024-03-11T03:00:00Z',
    },
    o,
  );

export const verificationReported = (
  o?: SampleOverrides<VerificationReported['data']>,
): VerificationReported =>
  build<VerificationReported>(
    EventTypes.VerificationReported,
    {
      id: 'verification-reported-0117-1',
      source: MONITORING,
      time: '2024-03-25T05:00:00Z',
      subject: SampleIds.consignmentId,
    },
    {
      verificationId: 'VER-0117-1',
      consignmentId: SampleIds.consignmentId,
      siteId: SampleIds.siteId,
      monitorId: SampleIds.monitorId,
      lat: 38.5071,
      lon: 125.7556,
      observed: [{ itemCode: RUTF.itemCode, quantity: 1180 }],
      beneficiaries: 640,
      finding: 'consistent',
      evidence: [sha256Of('photo stock-room 2024-03-25'), sha256Of('distribution register p.14')],
      at: '2024-03-25T05:00:00Z',
    },
    o,
  );

export const accessDenied = (o?: SampleOverrides<AccessDenied['data']>): AccessDenied =>
  build<AccessDenied>(
    EventTypes.AccessDenied,
    {
      id: 'access-denied-0117-1',
      source: MONITORING,
      time: '2024-04-02T01:00:00Z',
      subject: SampleIds.consignmentId,
    },
    {
      consignmentId: SampleIds.consignmentId,
      siteId: 'KP-SHW-HAEJU-NC',
      monitorId: SampleIds.monitorId,
      reason: 'Visit cancelled by local authorities at short notice',
      at: '2024-04-02T01:00:00Z',
    },
    o,
  );

export const vesselPosition = (o?: SampleOverrides<VesselPositionReported['data']>): VesselPositionReported =>
  build<VesselPositionReported>(
    EventTypes.VesselPositionReported,
    {
      id: 'ais-445123000-20240306T0400',
      source: AIS,
      time: '2024-03-06T04:00:05Z',
      subject: SampleIds.vesselMmsi,
    },
    {
      mmsi: SampleIds.vesselMmsi,
      lat: 38.62,
      lon: 124.05,
      sog: 9.8,
      cog: 87.5,
      heading: 88,
      navStatus: 0,
      at: '2024-03-06T04:00:00Z',
    },
    o,
  );

export const vesselStatic = (o?: SampleOverrides<VesselStaticReported['data']>): VesselStaticReported =>
  build<VesselStaticReported>(
    EventTypes.VesselStaticReported,
    {
      id: 'ais-static-445123000-20240305',
      source: AIS,
      time: '2024-03-05T03:00:02Z',
      subject: SampleIds.vesselMmsi,
    },
    {
      mmsi: SampleIds.vesselMmsi,
      imo: SampleIds.vesselImo,
      name: 'CHON MA SAN',
      callsign: 'HMEQ',
      flag: 'KP',
      shipType: 70,
      draught: 6.8,
      destination: 'NAMPO',
      at: '2024-03-05T03:00:00Z',
    },
    o,
  );

export const inputClosed = (o?: SampleOverrides<InputClosed['data']>): InputClosed =>
  build<InputClosed>(
    EventTypes.InputClosed,
    { id: 'closed-yellow-sea-2024-03', source: AIS, time: '2024-03-31T23:59:59Z', subject: AIS },
    // The input closed is the event's own source, whichever source the overrides give it.
    { source: typeof o?.source === 'string' ? o.source : AIS, at: '2024-03-31T23:59:59Z' },
    o,
  );

export const inputBounded = (o?: SampleOverrides<InputBounded['data']>): InputBounded =>
  build<InputBounded>(
    EventTypes.InputBounded,
    { id: 'bounded-yellow-sea-2024-03', source: AIS, time: '2024-03-01T00:00:00Z', subject: AIS },
    // The input announced is the event's own source, whichever source the overrides give it.
    { source: typeof o?.source === 'string' ? o.source : AIS, until: '2024-03-31T23:59:59Z' },
    o,
  );

/** One valid sample per inbound type, in the order a consignment's life unfolds. */
export const SampleBuilders = {
  [EventTypes.ExemptionGranted]: exemptionGranted,
  [EventTypes.ExemptionRevoked]: exemptionRevoked,
  [EventTypes.VesselDesignated]: vesselDesignated,
  [EventTypes.VesselDesignationRevoked]: vesselDesignationRevoked,
  [EventTypes.PortDeclared]: portDeclared,
  [EventTypes.ConsignmentRegistered]: consignmentRegistered,
  [EventTypes.ConsignmentLoaded]: consignmentLoaded,
  [EventTypes.ConsignmentDeparted]: consignmentDeparted,
  [EventTypes.ConsignmentArrived]: consignmentArrived,
  [EventTypes.ConsignmentDischarged]: consignmentDischarged,
  [EventTypes.CustodyTransferred]: custodyTransferred,
  [EventTypes.DeliveryRecorded]: deliveryRecorded,
  [EventTypes.VerificationReported]: verificationReported,
  [EventTypes.AccessDenied]: accessDenied,
  [EventTypes.VesselPositionReported]: vesselPosition,
  [EventTypes.VesselStaticReported]: vesselStatic,
  [EventTypes.InputClosed]: inputClosed,
  [EventTypes.InputBounded]: inputBounded,
} as const satisfies {
  [T in AidEvent['type']]: (o?: SampleOverrides<never>) => Extract<AidEvent, { type: T }>;
};

/** The CloudEvents HTTP binary mode's `ce-` headers of `event` (its context attributes; the body is its data). */
export function binaryModeHeaders(event: {
  specversion: string;
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
}): Record<string, string> {
  return {
    'ce-specversion': event.specversion,
    'ce-id': event.id,
    'ce-source': event.source,
    'ce-type': event.type,
    'ce-time': event.time,
    ...(event.subject !== undefined && { 'ce-subject': event.subject }),
  };
}
