import type { CloudEvent } from './cloud-event';
import { EventTypes } from './event-types';

export interface ItemQuantity {
  itemCode: string;
  quantity: number;
}
export interface ExemptionItem extends ItemQuantity {
  hsCode?: string;
  description: string;
  unit: string;
}
export interface ExemptionSite {
  siteId: string;
  name: string;
  lat: number;
  lon: number;
  radiusKm: number;
}
export interface LatLon {
  lat: number;
  lon: number;
}

export interface ExemptionGrantedData {
  exemptionId: string;
  committeeRef: string;
  projectTitle: string;
  implementingOrg: string;
  validFrom: string;
  validUntil: string;
  items: ExemptionItem[];
  sites: ExemptionSite[];
}
export interface ExemptionRevokedData {
  exemptionId: string;
  reason: string;
  at: string;
}
/**
 * A vessel on a designation list. `listRef` names the listing (for an imported list, `<list> <reference>`,
 * e.g. `OFAC-SDN 22720` or `UN-SC KPe.029`); the optional fields (added for sanctions-list imports, contract
 * v1.3) say which list (`list`), the list's own entry reference (`reference`), the sanctions programme
 * (`program`, e.g. `DPRK3`), other names the vessel is listed under (`aliases`) and the linked owner or
 * operator (`owner`). `imo` is the ship's IMO number, never a company's.
 */
export interface VesselDesignatedData {
  listRef: string;
  name: string;
  imo?: string;
  mmsi?: string;
  list?: string;
  reference?: string;
  program?: string;
  aliases?: string[];
  owner?: string;
  at: string;
}
/**
 * A designation ended: the listing `listRef` (as designated) no longer holds the vessel (a later import of
 * the list left it out, or a delisting notice). `imo`/`mmsi`/`name` repeat the designation's so the event
 * lands on the same stream and names the same vessel.
 */
export interface VesselDesignationRevokedData {
  listRef: string;
  name: string;
  imo?: string;
  mmsi?: string;
  list?: string;
  reference?: string;
  reason: string;
  at: string;
}
export interface PortDeclaredData {
  locode: string;
  name: string;
  lat: number;
  lon: number;
  radiusKm: number;
}
export interface ConsignmentRegisteredData {
  consignmentId: string;
  exemptionId: string;
  billOfLading: string;
  items: Array<ItemQuantity & { unit: string }>;
  originPort: string;
  destinationPort: string;
  vessel: { mmsi: string; imo?: string; name?: string };
  route?: LatLon[];
}
export interface ConsignmentLoadedData {
  consignmentId: string;
  port: string;
  vesselMmsi: string;
  items: ItemQuantity[];
  at: string;
}
export interface ConsignmentDepartedData {
  consignmentId: string;
  port: string;
  at: string;
}
export type ConsignmentArrivedData = ConsignmentDepartedData;
export interface ConsignmentDischargedData {
  consignmentId: string;
  port: string;
  items: ItemQuantity[];
  at: string;
}
export interface CustodyTransferredData {
  consignmentId: string;
  from: string;
  to: string;
  items: ItemQuantity[];
  documentHash: string;
  at: string;
}
export interface DeliveryRecordedData {
  deliveryId: string;
  consignmentId: string;
  siteId: string;
  lat: number;
  lon: number;
  items: ItemQuantity[];
  receivedBy: string;
  documentHash: string;
  at: string;
}
export type VerificationFinding = 'consistent' | 'discrepancy' | 'not_found' | 'diversion_suspected';
export const VerificationFindings: readonly VerificationFinding[] = [
  'consistent',
  'discrepancy',
  'not_found',
  'diversion_suspected',
];
export interface VerificationReportedData {
  verificationId: string;
  consignmentId: string;
  siteId: string;
  monitorId: string;
  lat: number;
  lon: number;
  observed: ItemQuantity[];
  beneficiaries?: number;
  finding: VerificationFinding;
  evidence?: string[];
  at: string;
}
export interface AccessDeniedData {
  consignmentId: string;
  siteId: string;
  monitorId: string;
  reason: string;
  at: string;
}
export interface VesselPositionData {
  mmsi: string;
  lat: number;
  lon: number;
  /** Knots; absent when the report says "not available" (AIS 1023). */
  sog?: number;
  cog?: number;
  heading?: number;
  navStatus?: number;
  at: string;
}
export interface VesselStaticData {
  mmsi: string;
  imo?: string;
  name?: string;
  callsign?: string;
  flag?: string;
  shipType?: number;
  draught?: number;
  destination?: string;
  at: string;
}

/**
 * An input has ended: the producer of `source` (a CloudEvents `source`, the same as the event's own) says it
 * delivers nothing more, its coverage ending at `at` (e.g. the end of an imported history of AIS positions
 * or of a programme's paperwork). Detection then judges the subjects of the source's inputs — on every
 * Kafka partition its events came by — on their own clock (docs/time-model.md 5); an event of the same
 * source dated after `at` reopens it.
 */
export interface InputClosedData {
  source: string;
  at: string;
}

/**
 * An input is bounded: the producer of `source` (the event's own CloudEvents `source`) announces, before it
 * delivers them, that its events are dated no later than `until` (RFC 3339) — an import of last month's AIS
 * history or of a programme's old paperwork. From this event on, detection treats every input of the source
 * as closed (docs/time-model.md 5): never idle, holding back no subject an open input also reports, its
 * subjects judged on its own clock while it delivers — so live feeds running ahead, a brand-new one
 * included, release nothing of it. Its watermark moves only with its own events (and an
 * `aidwatch.input.closed.v1` after them); an event of the source dated after `until` reopens it.
 */
export interface InputBoundedData {
  source: string;
  until: string;
}

export type ExemptionGranted = CloudEvent<typeof EventTypes.ExemptionGranted, ExemptionGrantedData>;
export type ExemptionRevoked = CloudEvent<typeof EventTypes.ExemptionRevoked, ExemptionRevokedData>;
export type VesselDesignated = CloudEvent<typeof EventTypes.VesselDesignated, VesselDesignatedData>;
export type VesselDesignationRevoked = CloudEvent<
  typeof EventTypes.VesselDesignationRevoked,
  VesselDesignationRevokedData
>;
export type PortDeclared = CloudEvent<typeof EventTypes.PortDeclared, PortDeclaredData>;
export type ConsignmentRegistered = CloudEvent<
  typeof EventTypes.ConsignmentRegistered,
  ConsignmentRegisteredData
>;
export type ConsignmentLoaded = CloudEvent<typeof EventTypes.ConsignmentLoaded, ConsignmentLoadedData>;
export type ConsignmentDeparted = CloudEvent<typeof EventTypes.ConsignmentDeparted, ConsignmentDepartedData>;
export type ConsignmentArrived = CloudEvent<typeof EventTypes.ConsignmentArrived, ConsignmentArrivedData>;
export type ConsignmentDischarged = CloudEvent<
  typeof EventTypes.ConsignmentDischarged,
  ConsignmentDischargedData
>;
export type CustodyTransferred = CloudEvent<typeof EventTypes.CustodyTransferred, CustodyTransferredData>;
export type DeliveryRecorded = CloudEvent<typeof EventTypes.DeliveryRecorded, DeliveryRecordedData>;
export type VerificationReported = CloudEvent<
  typeof EventTypes.VerificationReported,
  VerificationReportedData
>;
export type AccessDenied = CloudEvent<typeof EventTypes.AccessDenied, AccessDeniedData>;
export type VesselPositionReported = CloudEvent<typeof EventTypes.VesselPositionReported, VesselPositionData>;
export type VesselStaticReported = CloudEvent<typeof EventTypes.VesselStaticReported, VesselStaticData>;
export type InputClosed = CloudEvent<typeof EventTypes.InputClosed, InputClosedData>;
export type InputBounded = CloudEvent<typeof EventTypes.InputBounded, InputBoundedData>;

/** Every event a producer may send (the inbound catalogue). */
export type AidEvent =
  | ExemptionGranted
  | ExemptionRevoked
  | VesselDesignated
  | VesselDesignationRevoked
  | PortDeclared
  | ConsignmentRegistered
  | ConsignmentLoaded
  | ConsignmentDeparted
  | ConsignmentArrived
  | ConsignmentDischarged
  | CustodyTransferred
  | DeliveryRecorded
  | VerificationReported
  | AccessDenied
  | VesselPositionReported
  | VesselStaticReported
  | InputClosed
  | InputBounded;
