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
import { InputBoundedDataDto, InputClosedDataDto } from './validation/input-data.dto';
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

/**
 * What an event is about: the thing whose history it extends. For an inbound event the subject names its
 * event-store stream (`StreamNames[kind](id)`) and its Kafka record key (`id`).
 * - `exemption` (exemption id), `consignment` (consignment id), `port` (UN/LOCODE), `vessel` (MMSI),
 *   `designation` (IMO, else MMSI, else the listed name), `input` (a CloudEvents `source`);
 * - for what AidWatch writes itself: `alert` (alert id, the fingerprint of its problem), `silence`
 *   (silence id), `store` (the store position an audit checkpoint covers), `archive` (an archive file name),
 *   `prefix` (a claimed consignment id namespace), `partition` (a Kafka partition, `<topic>/<partition>`).
 */
export type EventSubjectKind =
  | 'exemption'
  | 'consignment'
  | 'port'
  | 'vessel'
  | 'designation'
  | 'input'
  | 'alert'
  | 'silence'
  | 'store'
  | 'archive'
  | 'prefix'
  | 'partition';

export interface EventSubject {
  kind: EventSubjectKind;
  id: string;
}

/** How to read the subject from an event's `data`; `kinds` are all the kinds `of` can return. */
export interface SubjectRule<D> {
  kinds: readonly EventSubjectKind[];
  of: (data: D) => EventSubject;
}

/** The subject rule of a type that is always about one kind of thing. */
export function about<D>(kind: EventSubjectKind, id: (data: D) => string): SubjectRule<D> {
  return { kinds: [kind], of: (data) => ({ kind, id: id(data) }) };
}

/**
 * What an event says about the vessel that carries a consignment's aid: what the aboard rule reads
 * (aboard.ts: `aboardWindow`, `carriageStanding`; `DiversionState.onBoard`, docs/time-model.md 9).
 * - `registered`: the registration names the carrier; `loaded`: goods go onto a vessel; `departed`: a departure
 *   on the registered vessel counts as on board when no load was reported — all three put aid `onto` a vessel;
 * - `discharged`: goods come `off` the vessel (the aboard window closes);
 * - `handed-over` (a custody transfer), `delivered`: the aid `ends` its carriage: no longer bound for a vessel it
 *   never came aboard, closing no aboard window.
 * Each kind with its direction.
 */
export const CarriageDirections = {
  registered: 'onto',
  loaded: 'onto',
  departed: 'onto',
  discharged: 'off',
  'handed-over': 'ends',
  delivered: 'ends',
} as const satisfies Readonly<Record<string, CarriageDirection>>;

/** What a carriage kind does to the carriage: put aid onto its vessel, take it off, or end it ashore. */
export type CarriageDirection = 'onto' | 'off' | 'ends';

/** The carriage kinds (see `CarriageDirections`). */
export type CarriageKind = keyof typeof CarriageDirections;

/**
 * The carriage kinds that move aid onto or off a vessel (direction `onto` or `off`): paperwork of these kinds
 * makes the carriers' corridors be judged again.
 */
export type VesselCarriageKind = {
  [K in CarriageKind]: (typeof CarriageDirections)[K] extends 'ends' ? never : K;
}[CarriageKind];

/** What kind of person a personal field names; part of the data subject's id (`monitor:MON-017`). */
export type PersonalDataSubjectKind = 'monitor' | 'recipient';

/**
 * A field of `data` that identifies a person (GDPR Art. 4(1); UN Personal Data Protection and Privacy
 * Principles, 2018), stored encrypted with a key of its own data subject (`libs/audit`, personal data).
 */
export interface PersonalField<D = unknown> {
  field: keyof D & string;
  kind: PersonalDataSubjectKind;
}

/**
 * Stored views and readers that take an event type beside the detectors:
 * - `alert-book`: the alerts, silences and labels (libs/alerts);
 * - `notifications`: what the alert relay (Kafka alerts topic), the webhook outbox and the alert stream
 *   (`GET /alerts/stream`) deliver — flags and the alert lifecycle;
 * - `retention`: the events whose `evidence` keeps raw positions from being archived (docs/audit.md,
 *   "Retention of raw positions").
 */
export type EventView = 'alert-book' | 'notifications' | 'retention';

/** What every catalogue row says, inbound or written by AidWatch itself. */
export interface EventRow<D = unknown> {
  type: string;
  /** Past-tense name of the fact, as in the design notes (e.g. `ConsignmentLoaded`). */
  name: string;
  /** One sentence: for the AsyncAPI document (inbound types) and docs. */
  summary: string;
  /** What the event is about (see `EventSubjectKind`). */
  subject: SubjectRule<D>;
  /** Set when the event bears on which vessel carries the aid: onto, off, or carriage ended (`CarriageKind`). */
  carriage?: CarriageKind;
  /** Fields of `data` naming a person; absent when none does. */
  personalFields?: readonly PersonalField<D>[];
  /** Stored views that fold it (see `EventView`). */
  views?: readonly EventView[];
}

/** Everything AidWatch knows about one inbound event type. */
export interface CatalogueEntry<T extends InboundEventType = InboundEventType> extends EventRow<
  EventDataOf<T>
> {
  type: T;
  /** The Kafka topic that carries it (docs/contract.md, "Topics"). */
  topic: (typeof Topics)[keyof typeof Topics];
  /** The class-validator DTO that checks `data`; the JSON Schema of `data` is derived from it. */
  dto: new () => EventDataOf<T>;
  /** The detectors that fold it; the first one owns it (its clock decides), the others learn from it. */
  consumers: readonly EventConsumer[];
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
 * detector routing, write roles, carriage, personal fields, the JSON Schemas and the AsyncAPI document are
 * all derived from it; a type without a row does not compile. What AidWatch writes itself is in
 * `InternalEventCatalogue` (internal-event-catalogue.ts).
 */
export const EventCatalogue: { readonly [T in InboundEventType]: CatalogueEntry<T> } = {
  [EventTypes.ExemptionGranted]: {
    type: EventTypes.ExemptionGranted,
    name: 'ExemptionGranted',
    topic: Topics.reference,
    subject: about('exemption', (d) => d.exemptionId),
    dto: ExemptionGrantedDataDto,
    consumers: ['diversion'],
    summary: 'The 1718 Committee granted an exemption: items, quantities, sites and validity.',
    writers: ['committee'],
    views: ['alert-book'],
  },
  [EventTypes.ExemptionRevoked]: {
    type: EventTypes.ExemptionRevoked,
    name: 'ExemptionRevoked',
    topic: Topics.reference,
    subject: about('exemption', (d) => d.exemptionId),
    dto: ExemptionRevokedDataDto,
    consumers: ['diversion'],
    summary: 'An exemption was revoked.',
    writers: ['committee'],
  },
  [EventTypes.VesselDesignated]: {
    type: EventTypes.VesselDesignated,
    name: 'VesselDesignated',
    topic: Topics.reference,
    subject: about('designation', designationKey),
    dto: VesselDesignatedDataDto,
    consumers: ['maritime'],
    summary: 'A vessel was put on a designation list (e.g. the 1718 Committee list, the OFAC SDN list).',
    writers: ['feed'],
  },
  [EventTypes.VesselDesignationRevoked]: {
    type: EventTypes.VesselDesignationRevoked,
    name: 'VesselDesignationRevoked',
    topic: Topics.reference,
    subject: about('designation', designationKey),
    dto: VesselDesignationRevokedDataDto,
    consumers: ['maritime'],
    summary: 'A designation ended: the list named by listRef no longer holds the vessel (a delisting).',
    writers: ['feed'],
  },
  [EventTypes.PortDeclared]: {
    type: EventTypes.PortDeclared,
    name: 'PortDeclared',
    topic: Topics.reference,
    subject: about('port', (d) => d.locode),
    dto: PortDeclaredDataDto,
    consumers: ['maritime', 'diversion'],
    summary: 'A port or anchorage and the radius within which a vessel counts as in port.',
    writers: ['feed'],
  },
  [EventTypes.ConsignmentRegistered]: {
    type: EventTypes.ConsignmentRegistered,
    name: 'ConsignmentRegistered',
    topic: Topics.consignments,
    subject: about('consignment', (d) => d.consignmentId),
    dto: ConsignmentRegisteredDataDto,
    consumers: ['diversion', 'maritime'],
    summary: 'A consignment under an exemption: items, ports, carrying vessel, declared route.',
    writers: ['organisation'],
    carriage: 'registered',
    views: ['alert-book'],
  },
  [EventTypes.ConsignmentLoaded]: {
    type: EventTypes.ConsignmentLoaded,
    name: 'ConsignmentLoaded',
    topic: Topics.consignments,
    subject: about('consignment', (d) => d.consignmentId),
    dto: ConsignmentLoadedDataDto,
    consumers: ['diversion'],
    summary: 'Goods of a consignment were loaded on a vessel.',
    writers: ['organisation'],
    carriage: 'loaded',
  },
  [EventTypes.ConsignmentDeparted]: {
    type: EventTypes.ConsignmentDeparted,
    name: 'ConsignmentDeparted',
    topic: Topics.consignments,
    subject: about('consignment', (d) => d.consignmentId),
    dto: ConsignmentPortCallDataDto,
    consumers: ['diversion'],
    summary: 'The vessel carrying a consignment left port.',
    writers: ['organisation'],
    carriage: 'departed',
  },
  [EventTypes.ConsignmentArrived]: {
    type: EventTypes.ConsignmentArrived,
    name: 'ConsignmentArrived',
    topic: Topics.consignments,
    subject: about('consignment', (d) => d.consignmentId),
    dto: ConsignmentPortCallDataDto,
    consumers: ['diversion'],
    summary: 'The vessel carrying a consignment arrived in port.',
    writers: ['organisation'],
  },
  [EventTypes.ConsignmentDischarged]: {
    type: EventTypes.ConsignmentDischarged,
    name: 'ConsignmentDischarged',
    topic: Topics.consignments,
    subject: about('consignment', (d) => d.consignmentId),
    dto: ConsignmentDischargedDataDto,
    consumers: ['diversion'],
    summary: 'Goods of a consignment were discharged, with the quantities counted.',
    writers: ['organisation'],
    carriage: 'discharged',
  },
  [EventTypes.CustodyTransferred]: {
    type: EventTypes.CustodyTransferred,
    name: 'CustodyTransferred',
    topic: Topics.consignments,
    subject: about('consignment', (d) => d.consignmentId),
    dto: CustodyTransferredDataDto,
    consumers: ['diversion'],
    summary: 'Custody of goods passed from one party to another, with a document hash.',
    writers: ['organisation'],
    carriage: 'handed-over',
  },
  [EventTypes.DeliveryRecorded]: {
    type: EventTypes.DeliveryRecorded,
    name: 'DeliveryRecorded',
    topic: Topics.deliveries,
    subject: about('consignment', (d) => d.consignmentId),
    dto: DeliveryRecordedDataDto,
    consumers: ['diversion'],
    summary: 'Goods were delivered to a distribution site.',
    writers: ['organisation'],
    carriage: 'delivered',
    personalFields: [{ field: 'receivedBy', kind: 'recipient' }],
  },
  [EventTypes.VerificationReported]: {
    type: EventTypes.VerificationReported,
    name: 'EndUseVerificationReported',
    topic: Topics.verifications,
    subject: about('consignment', (d) => d.consignmentId),
    dto: VerificationReportedDataDto,
    consumers: ['diversion'],
    summary: 'A monitor visited a site and reported what was observed and the finding.',
    writers: ['monitor'],
    personalFields: [{ field: 'monitorId', kind: 'monitor' }],
  },
  [EventTypes.AccessDenied]: {
    type: EventTypes.AccessDenied,
    name: 'EndUseAccessDenied',
    topic: Topics.verifications,
    subject: about('consignment', (d) => d.consignmentId),
    dto: AccessDeniedDataDto,
    consumers: ['diversion'],
    summary: 'A monitor was refused access to a site.',
    writers: ['monitor'],
    personalFields: [{ field: 'monitorId', kind: 'monitor' }],
  },
  [EventTypes.VesselPositionReported]: {
    type: EventTypes.VesselPositionReported,
    name: 'VesselPositionReported',
    topic: Topics.positions,
    subject: about('vessel', (d) => d.mmsi),
    dto: VesselPositionDataDto,
    consumers: ['maritime'],
    summary: 'An AIS position report (types 1-3, 18, 19, 27).',
    writers: ['feed'],
    views: ['alert-book'],
    rawPosition: true,
  },
  [EventTypes.VesselStaticReported]: {
    type: EventTypes.VesselStaticReported,
    name: 'VesselStaticReported',
    topic: Topics.positions,
    subject: about('vessel', (d) => d.mmsi),
    dto: VesselStaticDataDto,
    consumers: ['maritime'],
    summary: 'AIS static and voyage data (types 5, 19, 24).',
    writers: ['feed'],
  },
  [EventTypes.InputClosed]: {
    type: EventTypes.InputClosed,
    name: 'InputClosed',
    topic: Topics.positions,
    subject: about('input', (d) => d.source),
    dto: InputClosedDataDto,
    consumers: ['maritime', 'diversion'],
    summary:
      "An input has ended (e.g. an imported history of AIS positions or of a programme's paperwork): its vessels and consignments are judged on its own clock until it sends an event dated after the close; sent under the closed input's own source, by a producer of no organisation or by an organisation's producer whose credential names that source.",
    writers: ['feed', 'organisation'],
  },
  [EventTypes.InputBounded]: {
    type: EventTypes.InputBounded,
    name: 'InputBounded',
    topic: Topics.positions,
    subject: about('input', (d) => d.source),
    dto: InputBoundedDataDto,
    consumers: ['maritime', 'diversion'],
    summary:
      "An input announces, before delivering them, that its events end at a time (e.g. an import of last month's AIS history): from then on it is judged as a closed input — on its own clock, never released because live feeds run ahead — until it sends an event dated after that time; sent under the input's own source, by the same writers as a close.",
    writers: ['feed', 'organisation'],
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

/** What an inbound event is about (its row's `subject`); undefined for a type without an inbound row. */
export function subjectOfEvent(event: Pick<AidEvent, 'type' | 'data'>): EventSubject | undefined {
  return isInboundEventType(event.type)
    ? (EventCatalogue[event.type] as CatalogueEntry).subject.of(event.data as never)
    : undefined;
}

/** The consignment an inbound event is about (its subject, when that is a consignment). */
export function consignmentIdOfEvent(event: Pick<AidEvent, 'type' | 'data'>): string | undefined {
  const subject = subjectOfEvent(event);
  return subject?.kind === 'consignment' ? subject.id : undefined;
}

/** The stream an inbound event belongs to: `StreamNames[subject.kind](subject.id)`. */
export function streamOf(event: AidEvent): string {
  const { kind, id } = subjectOfEvent(event) as EventSubject;
  return StreamNames[kind as InboundSubjectKind](id);
}

/** The Kafka record key of an inbound event: its subject's id. */
export function recordKeyOfEvent(event: AidEvent): string {
  return (subjectOfEvent(event) as EventSubject).id;
}

/** The subject kinds of inbound events: each names a stream (`StreamNames`). */
export type InboundSubjectKind = Exclude<keyof typeof StreamNames, 'risk'>;

/**
 * The inbound types the aboard rule reads (`carriageStanding`), each with its row's `carriage`, in catalogue
 * order: registrations, loads, departures, discharges, custody transfers, deliveries.
 */
export const AboardEventKinds: ReadonlyMap<string, CarriageKind> = new Map(
  CatalogueEntries.flatMap((e) => (e.carriage ? [[e.type, e.carriage] as const] : [])),
);

/**
 * The inbound types that move aid onto or off a vessel (`carriage` of direction `onto` or `off`), and how, in
 * catalogue order: what makes detection relink carriers and judge their corridors again.
 */
export const CarriageEventKinds: ReadonlyMap<string, VesselCarriageKind> = new Map(
  [...AboardEventKinds].filter(
    (entry): entry is [string, VesselCarriageKind] => CarriageDirections[entry[1]] !== 'ends',
  ),
);

/** The inbound types a detector folds. */
export function typesConsumedBy(consumer: EventConsumer): ReadonlySet<string> {
  return new Set(CatalogueEntries.filter((e) => e.consumers.includes(consumer)).map((e) => e.type));
}
