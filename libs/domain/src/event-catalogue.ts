import { EventTypes, Topics } from './event-types';
import type { AidEvent } from './events';
import { StreamNames } from './streams';
import {
  ConsignmentDischargedDataDto,
  ConsignmentLoadedDataDto,
  ConsignmentPortCallDataDto,
  ConsignmentRegisteredDataDto,
  CustodyTransferredDataDto,
} from './validation/consignment-data.dto';
import {
  AccessDeniedDataDto,
  DeliveryRecordedDataDto,
  VerificationReportedDataDto,
} from './validation/field-report-data.dto';
import {
  ExemptionGrantedDataDto,
  ExemptionRevokedDataDto,
  PortDeclaredDataDto,
  VesselDesignatedDataDto,
  VesselDesignationRevokedDataDto,
} from './validation/reference-data.dto';
import { InputClosedDataDto } from './validation/input-data.dto';
import { VesselPositionDataDto, VesselStaticDataDto } from './validation/vessel-data.dto';

export type InboundEventType = AidEvent['type'];
export type EventDataOf<T extends InboundEventType> = Extract<AidEvent, { type: T }>['data'];
export type EventOf<T extends InboundEventType> = Extract<AidEvent, { type: T }>;

/** The detectors of `libs/detection`: consignment rules (diversion) and vessel rules (maritime). */
export type EventConsumer = 'diversion' | 'maritime';

/**
 * Who writes an event type (contract "Access", "Who writes what"):
 * - `feed`: reference data every organisation shares (AIS positions and static data, ports, vessel
 *   designations and their revocation). Written only by the deployment's own feeds and relays: a
 *   producer of no organisation. An organisation's producer never writes it.
 * - `committee`: what the 1718 Committee decides (an exemption granted or revoked). Written only by a
 *   producer of no organisation, and when the deployment names the committee's sources
 *   (`COMMITTEE_SOURCES`) only under one of them. An organisation's producer never writes it.
 * - `organisation`: the logistics of a consignment, written by a producer of the organisation that owns
 *   it (through its exemption), or relayed by a producer of no organisation.
 * - `monitor`: the outcome of a site visit, written by a monitor of the owning organisation as its own
 *   `monitorId`, or relayed by a producer of no organisation.
 */
export type EventWriter = 'feed' | 'committee' | 'organisation' | 'monitor';

export const EventWriters: readonly EventWriter[] = ['feed', 'committee', 'organisation', 'monitor'];

/** Everything AidWatch knows about one inbound event type. */
export interface CatalogueEntry<T extends InboundEventType = InboundEventType> {
  type: T;
  /** Past-tense name of the fact, as in the design notes (e.g. `ConsignmentLoaded`). */
  name: string;
  /** The Kafka topic that carries it (docs/contract.md, "Topics"). */
  topic: (typeof Topics)[keyof typeof Topics];
  /** The Kafka record key: what the event is about (consignment id, exemption id, LOCODE, IMO, MMSI). */
  key: (data: EventDataOf<T>) => string;
  /** The event-store stream it is appended to. */
  stream: (data: EventDataOf<T>) => string;
  /** The class-validator DTO that checks `data`; the JSON Schema of `data` is derived from it. */
  dto: new () => EventDataOf<T>;
  /** The detectors that fold it; the first one owns it (its clock decides), the others learn from it. */
  consumers: readonly EventConsumer[];
  /** One sentence for the AsyncAPI document. */
  summary: string;
  /** Who may write it (see `EventWriter`); the write policy of `libs/access` derives every check from it. */
  writers: readonly EventWriter[];
  /**
   * Raw traffic, not a fact to keep: an AIS position report. Storage retention (`AIS_RETENTION_DAYS`,
   * docs/audit.md "Retention of raw positions") may move such events from the store into archive files
   * once detection has judged them and no flag cites them. Static and voyage data are not raw positions.
   */
  rawPosition?: true;
}

const designationKey = (d: { imo?: string; mmsi?: string; name: string }) => d.imo ?? d.mmsi ?? d.name;

/**
 * The event catalogue: one row per inbound type. Topic membership, the DTO map, stream naming, record keys,
 * detector routing, the JSON Schemas and the AsyncAPI document are all derived from it; a type without a
 * row does not compile.
 */
export const EventCatalogue: { readonly [T in InboundEventType]: CatalogueEntry<T> } = {
  [EventTypes.ExemptionGranted]: {
    type: EventTypes.ExemptionGranted,
    name: 'ExemptionGranted',
    topic: Topics.reference,
    key: (d) => d.exemptionId,
    stream: (d) => StreamNames.exemption(d.exemptionId),
    dto: ExemptionGrantedDataDto,
    consumers: ['diversion'],
    summary: 'The 1718 Committee granted an exemption: items, quantities, sites and validity.',
    writers: ['committee'],
  },
  [EventTypes.ExemptionRevoked]: {
    type: EventTypes.ExemptionRevoked,
    name: 'ExemptionRevoked',
    topic: Topics.reference,
    key: (d) => d.exemptionId,
    stream: (d) => StreamNames.exemption(d.exemptionId),
    dto: ExemptionRevokedDataDto,
    consumers: ['diversion'],
    summary: 'An exemption was revoked.',
    writers: ['committee'],
  },
  [EventTypes.VesselDesignated]: {
    type: EventTypes.VesselDesignated,
    name: 'VesselDesignated',
    topic: Topics.reference,
    key: designationKey,
    stream: (d) => StreamNames.designation(designationKey(d)),
    dto: VesselDesignatedDataDto,
    consumers: ['maritime'],
    summary: 'A vessel was put on a designation list (e.g. the 1718 Committee list, the OFAC SDN list).',
    writers: ['feed'],
  },
  [EventTypes.VesselDesignationRevoked]: {
    type: EventTypes.VesselDesignationRevoked,
    name: 'VesselDesignationRevoked',
    topic: Topics.reference,
    key: designationKey,
    stream: (d) => StreamNames.designation(designationKey(d)),
    dto: VesselDesignationRevokedDataDto,
    consumers: ['maritime'],
    summary: 'A designation ended: the list named by listRef no longer holds the vessel (a delisting).',
    writers: ['feed'],
  },
  [EventTypes.PortDeclared]: {
    type: EventTypes.PortDeclared,
    name: 'PortDeclared',
    topic: Topics.reference,
    key: (d) => d.locode,
    stream: (d) => StreamNames.port(d.locode),
    dto: PortDeclaredDataDto,
    consumers: ['maritime', 'diversion'],
    summary: 'A port or anchorage and the radius within which a vessel counts as in port.',
    writers: ['feed'],
  },
  [EventTypes.ConsignmentRegistered]: {
    type: EventTypes.ConsignmentRegistered,
    name: 'ConsignmentRegistered',
    topic: Topics.consignments,
    key: (d) => d.consignmentId,
    stream: (d) => StreamNames.consignment(d.consignmentId),
    dto: ConsignmentRegisteredDataDto,
    consumers: ['diversion', 'maritime'],
    summary: 'A consignment under an exemption: items, ports, carrying vessel, declared route.',
    writers: ['organisation'],
  },
  [EventTypes.ConsignmentLoaded]: {
    type: EventTypes.ConsignmentLoaded,
    name: 'ConsignmentLoaded',
    topic: Topics.consignments,
    key: (d) => d.consignmentId,
    stream: (d) => StreamNames.consignment(d.consignmentId),
    dto: ConsignmentLoadedDataDto,
    consumers: ['diversion'],
    summary: 'Goods of a consignment were loaded on a vessel.',
    writers: ['organisation'],
  },
  [EventTypes.ConsignmentDeparted]: {
    type: EventTypes.ConsignmentDeparted,
    name: 'ConsignmentDeparted',
    topic: Topics.consignments,
    key: (d) => d.consignmentId,
    stream: (d) => StreamNames.consignment(d.consignmentId),
    dto: ConsignmentPortCallDataDto,
    consumers: ['diversion'],
    summary: 'The vessel carrying a consignment left port.',
    writers: ['organisation'],
  },
  [EventTypes.ConsignmentArrived]: {
    type: EventTypes.ConsignmentArrived,
    name: 'ConsignmentArrived',
    topic: Topics.consignments,
    key: (d) => d.consignmentId,
    stream: (d) => StreamNames.consignment(d.consignmentId),
    dto: ConsignmentPortCallDataDto,
    consumers: ['diversion'],
    summary: 'The vessel carrying a consignment arrived in port.',
    writers: ['organisation'],
  },
  [EventTypes.ConsignmentDischarged]: {
    type: EventTypes.ConsignmentDischarged,
    name: 'ConsignmentDischarged',
    topic: Topics.consignments,
    key: (d) => d.consignmentId,
    stream: (d) => StreamNames.consignment(d.consignmentId),
    dto: ConsignmentDischargedDataDto,
    consumers: ['diversion'],
    summary: 'Goods of a consignment were discharged, with the quantities counted.',
    writers: ['organisation'],
  },
  [EventTypes.CustodyTransferred]: {
    type: EventTypes.CustodyTransferred,
    name: 'CustodyTransferred',
    topic: Topics.consignments,
    key: (d) => d.consignmentId,
    stream: (d) => StreamNames.consignment(d.consignmentId),
    dto: CustodyTransferredDataDto,
    consumers: ['diversion'],
    summary: 'Custody of goods passed from one party to another, with a document hash.',
    writers: ['organisation'],
  },
  [EventTypes.DeliveryRecorded]: {
    type: EventTypes.DeliveryRecorded,
    name: 'DeliveryRecorded',
    topic: Topics.deliveries,
    key: (d) => d.consignmentId,
    stream: (d) => StreamNames.consignment(d.consignmentId),
    dto: DeliveryRecordedDataDto,
    consumers: ['diversion'],
    summary: 'Goods were delivered to a distribution site.',
    writers: ['organisation'],
  },
  [EventTypes.VerificationReported]: {
    type: EventTypes.VerificationReported,
    name: 'EndUseVerificationReported',
    topic: Topics.verifications,
    key: (d) => d.consignmentId,
    stream: (d) => StreamNames.consignment(d.consignmentId),
    dto: VerificationReportedDataDto,
    consumers: ['diversion'],
    summary: 'A monitor visited a site and reported what was observed and the finding.',
    writers: ['monitor'],
  },
  [EventTypes.AccessDenied]: {
    type: EventTypes.AccessDenied,
    name: 'EndUseAccessDenied',
    topic: Topics.verifications,
    key: (d) => d.consignmentId,
    stream: (d) => StreamNames.consignment(d.consignmentId),
    dto: AccessDeniedDataDto,
    consumers: ['diversion'],
    summary: 'A monitor was refused access to a site.',
    writers: ['monitor'],
  },
  [EventTypes.VesselPositionReported]: {
    type: EventTypes.VesselPositionReported,
    name: 'VesselPositionReported',
    topic: Topics.positions,
    key: (d) => d.mmsi,
    stream: (d) => StreamNames.vessel(d.mmsi),
    dto: VesselPositionDataDto,
    consumers: ['maritime'],
    summary: 'An AIS position report (types 1-3, 18, 19, 27).',
    writers: ['feed'],
    rawPosition: true,
  },
  [EventTypes.VesselStaticReported]: {
    type: EventTypes.VesselStaticReported,
    name: 'VesselStaticReported',
    topic: Topics.positions,
    key: (d) => d.mmsi,
    stream: (d) => StreamNames.vessel(d.mmsi),
    dto: VesselStaticDataDto,
    consumers: ['maritime'],
    summary: 'AIS static and voyage data (types 5, 19, 24).',
    writers: ['feed'],
  },
  [EventTypes.InputClosed]: {
    type: EventTypes.InputClosed,
    name: 'InputClosed',
    topic: Topics.positions,
    key: (d) => d.source,
    stream: (d) => StreamNames.input(d.source),
    dto: InputClosedDataDto,
    consumers: ['maritime', 'diversion'],
    summary:
      "An input has ended (e.g. an imported history of AIS positions or of a programme's paperwork): its vessels and consignments are judged on its own clock until it sends an event dated after the close; sent under the closed input's own source.",
    writers: ['feed'],
  },
};

export const CatalogueEntries: readonly CatalogueEntry[] = Object.values(EventCatalogue) as CatalogueEntry[];

export const InboundEventTypes = CatalogueEntries.map((e) => e.type);

export function isInboundEventType(type: unknown): type is InboundEventType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(EventCatalogue, type);
}

export function catalogueEntryOf<T extends InboundEventType>(type: T): CatalogueEntry<T> {
  return EventCatalogue[type] as unknown as CatalogueEntry<T>;
}

/**
 * The AIS position report types: on the positions topic and marked `rawPosition` in the catalogue (static and
 * voyage data, on the same topic, are not). What storage retention may archive.
 */
export const RawPositionEventTypes: ReadonlySet<string> = new Set(
  CatalogueEntries.filter((e) => e.topic === Topics.positions && e.rawPosition === true).map((e) => e.type),
);

/** Who may write an inbound type (its catalogue row's `writers`); empty for any other string. */
export function writersOf(type: string): readonly EventWriter[] {
  return isInboundEventType(type) ? EventCatalogue[type].writers : [];
}

/** The inbound types a kind of writer writes, in catalogue order. */
export function typesWrittenBy(writer: EventWriter): readonly InboundEventType[] {
  return CatalogueEntries.filter((e) => e.writers.includes(writer)).map((e) => e.type);
}

/** The DTO that validates `data` for each inbound type. */
export const EventDataDtos = Object.fromEntries(CatalogueEntries.map((e) => [e.type, e.dto])) as {
  readonly [T in InboundEventType]: new () => EventDataOf<T>;
};

/** Inbound topics and the event types each one carries. */
export const TopicEventTypes: Readonly<Record<string, readonly string[]>> = CatalogueEntries.reduce(
  (topics, entry) => ({ ...topics, [entry.topic]: [...(topics[entry.topic] ?? []), entry.type] }),
  {} as Record<string, readonly string[]>,
);

/** The topics producers write to, in catalogue order. */
export const InboundTopics = Object.keys(TopicEventTypes);

/** The topic of an inbound type, undefined for any other string. */
export function topicOfType(type: string): string | undefined {
  return isInboundEventType(type) ? EventCatalogue[type].topic : undefined;
}

/** The stream an inbound event belongs to. */
export function streamOf(event: AidEvent): string {
  return (catalogueEntryOf(event.type) as CatalogueEntry).stream(event.data as never);
}

/** The Kafka record key of an inbound event (what it is about). */
export function recordKeyOfEvent(event: AidEvent): string {
  return (catalogueEntryOf(event.type) as CatalogueEntry).key(event.data as never);
}

/** The inbound types a detector folds. */
export function typesConsumedBy(consumer: EventConsumer): ReadonlySet<string> {
  return new Set(CatalogueEntries.filter((e) => e.consumers.includes(consumer)).map((e) => e.type));
}
