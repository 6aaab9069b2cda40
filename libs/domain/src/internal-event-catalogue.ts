import {
  about,
  CatalogueEntries,
  type EventRow,
  type EventSubjectKind,
  type EventView,
  type SubjectRule,
} from './event-catalogue';
import { EventTypes, SupersededEventTypes, Topics } from './event-types';
import type { FlagSubject } from './flag';
import { OwnershipEventTypes, type OwnershipTransfer } from './ownership';
import { PARTITION_CAUGHT_UP_TYPE, type PartitionCaughtUpData } from './partition-caught-up';
import { INPUT_QUIET_TYPE, type InputQuietData } from './input-quiet';

/**
 * The event types AidWatch writes itself (no producer may send them): flags, the alert lifecycle, silences,
 * ownership transfers and the audit records. Their payload types live beside the code that writes them
 * (`libs/alerts`, `libs/audit`, flag.ts, ownership.ts); the names are here so that each has one row.
 */
export const InternalEventTypes = {
  /** A detector raised a flag (docs/contract.md, "Flags"); published under the contract's v1 name. */
  FlagRaised: EventTypes.FlagRaised,
  /** Flags stored before contract 1.2; read as `aidwatch.flag.raised.v2` through an upcaster. */
  FlagRaisedV1: SupersededEventTypes.FlagRaisedV1,
  FlagCleared: EventTypes.FlagCleared,
  AlertAcknowledged: 'aidwatch.alert.acknowledged.v1',
  AlertResolved: 'aidwatch.alert.resolved.v1',
  AlertAssigned: 'aidwatch.alert.assigned.v1',
  AlertCommented: 'aidwatch.alert.commented.v1',
  SilenceCreated: 'aidwatch.silence.created.v1',
  SilenceExpired: 'aidwatch.silence.expired.v1',
  OwnershipTransferred: OwnershipEventTypes.Transferred,
  OwnershipPrefixClaimed: OwnershipEventTypes.PrefixClaimed,
  /** A place taken among an organisation's unexpired silences (`LIMIT_SILENCES_PER_TENANT`). */
  SilenceReserved: 'aidwatch.quota.silence-reserved.v1',
  /** docs/audit.md, "Checkpoints". */
  AuditCheckpoint: 'aidwatch.audit.checkpoint.v1',
  /** docs/audit.md, "Retention of raw positions". */
  PositionsArchived: 'aidwatch.audit.positions-archived.v1',
  /** docs/time-model.md 5, "The end of a delivery" (partition-caught-up.ts). */
  PartitionCaughtUp: PARTITION_CAUGHT_UP_TYPE,
  /** docs/time-model.md 7, the end of a run of reports over HTTP, UDP or TCP (input-quiet.ts). */
  InputQuiet: INPUT_QUIET_TYPE,
} as const;

export type InternalEventType = (typeof InternalEventTypes)[keyof typeof InternalEventTypes];

/** A row for a type AidWatch writes itself: no inbound schema, no producer role may write it. */
export interface InternalEventRow<D = unknown> extends EventRow<D> {
  type: InternalEventType;
  writtenBy: 'aidwatch';
  /** The topic AidWatch publishes it on (under `publishedTypeOf(type)`); absent when it is only stored. */
  publishedOn?: typeof Topics.alerts;
  /** A version no longer written: the type it is read as (upcasting/event-upcasters.ts). */
  readAs?: InternalEventType;
}

const flagSubject: SubjectRule<{ subject: FlagSubject }> = {
  kinds: ['consignment', 'vessel'],
  of: (d) => ({ kind: d.subject.kind, id: d.subject.id }),
};

const alertRow = (
  type: InternalEventType,
  name: string,
  summary: string,
): InternalEventRow<{ alertId: string }> => ({
  type,
  name,
  summary,
  subject: about('alert', (d) => d.alertId),
  writtenBy: 'aidwatch',
  publishedOn: Topics.alerts,
  views: ['alert-book', 'notifications'],
});

const silenceRow = (
  type: InternalEventType,
  name: string,
  summary: string,
): InternalEventRow<{ silenceId: string }> => ({
  type,
  name,
  summary,
  subject: about('silence', (d) => d.silenceId),
  writtenBy: 'aidwatch',
  views: ['alert-book'],
});

/**
 * One row per type AidWatch writes itself, in the order the alert book's filter lists their families. None
 * has personal fields: a flag names no person (contract 1.2), and lifecycle `by` fields name principals
 * (credentials), not data subjects.
 */
export const InternalEventCatalogue: { readonly [T in InternalEventType]: InternalEventRow<never> } = {
  [InternalEventTypes.FlagRaised]: {
    type: InternalEventTypes.FlagRaised,
    name: 'FlagRaised',
    summary: 'A detector raised a risk flag on a consignment or a vessel.',
    subject: flagSubject,
    writtenBy: 'aidwatch',
    publishedOn: Topics.alerts,
    views: ['alert-book', 'notifications', 'retention'],
  },
  [InternalEventTypes.FlagRaisedV1]: {
    type: InternalEventTypes.FlagRaisedV1,
    name: 'FlagRaised (v1)',
    summary: 'A risk flag as stored until contract 1.2 (it could name a person); read as v2.',
    subject: flagSubject,
    writtenBy: 'aidwatch',
    readAs: InternalEventTypes.FlagRaised,
    views: ['alert-book', 'notifications', 'retention'],
  },
  [InternalEventTypes.FlagCleared]: {
    type: InternalEventTypes.FlagCleared,
    name: 'FlagCleared',
    summary: 'A risk flag was cleared.',
    subject: flagSubject,
    writtenBy: 'aidwatch',
    publishedOn: Topics.alerts,
    views: ['alert-book', 'notifications', 'retention'],
  },
  [InternalEventTypes.AlertAcknowledged]: alertRow(
    InternalEventTypes.AlertAcknowledged,
    'AlertAcknowledged',
    'Someone took note of an alert.',
  ),
  [InternalEventTypes.AlertResolved]: alertRow(
    InternalEventTypes.AlertResolved,
    'AlertResolved',
    'Someone resolved an alert, saying why.',
  ),
  [InternalEventTypes.AlertAssigned]: alertRow(
    InternalEventTypes.AlertAssigned,
    'AlertAssigned',
    'An alert was assigned to someone.',
  ),
  [InternalEventTypes.AlertCommented]: alertRow(
    InternalEventTypes.AlertCommented,
    'AlertCommented',
    'Someone commented on an alert.',
  ),
  [InternalEventTypes.SilenceCreated]: silenceRow(
    InternalEventTypes.SilenceCreated,
    'SilenceCreated',
    'A silence now mutes the notifications of the alerts its matchers select.',
  ),
  [InternalEventTypes.SilenceExpired]: silenceRow(
    InternalEventTypes.SilenceExpired,
    'SilenceExpired',
    'A silence was ended before its end time.',
  ),
  [InternalEventTypes.OwnershipTransferred]: {
    type: InternalEventTypes.OwnershipTransferred,
    name: 'OwnershipTransferred',
    summary: 'An operator moved an exemption to another organisation or a consignment to another exemption.',
    subject: {
      kinds: ['exemption', 'consignment'],
      of: (d: OwnershipTransfer) =>
        d.kind === 'exemption'
          ? { kind: 'exemption', id: d.exemptionId }
          : { kind: 'consignment', id: d.consignmentId },
    } satisfies SubjectRule<OwnershipTransfer>,
    writtenBy: 'aidwatch',
    views: ['alert-book'],
  },
  [InternalEventTypes.OwnershipPrefixClaimed]: {
    type: InternalEventTypes.OwnershipPrefixClaimed,
    name: 'OwnershipPrefixClaimed',
    summary:
      'An operator claimed a consignment id namespace (an issuing-company prefix) for one organisation.',
    subject: about('prefix', (d: { prefix: string }) => d.prefix),
    writtenBy: 'aidwatch',
    // In the ownership family the alert book reads; it changes no alert (writes are judged by it).
    views: ['alert-book'],
  },
  [InternalEventTypes.SilenceReserved]: {
    type: InternalEventTypes.SilenceReserved,
    name: 'SilenceReserved',
    summary: "A silence took a place among its organisation's unexpired silences before it was stored.",
    subject: about('silence', (d: { silenceId: string }) => d.silenceId),
    writtenBy: 'aidwatch',
  },
  [InternalEventTypes.AuditCheckpoint]: {
    type: InternalEventTypes.AuditCheckpoint,
    name: 'AuditCheckpointWritten',
    summary: 'The heads of every stream up to a store position, and their Merkle root.',
    subject: about('store', (d: { coversPosition: string }) => d.coversPosition),
    writtenBy: 'aidwatch',
  },
  [InternalEventTypes.PositionsArchived]: {
    type: InternalEventTypes.PositionsArchived,
    name: 'PositionsArchived',
    summary: 'Raw AIS positions left the store for an archive file (one record per part of the file).',
    subject: about('archive', (d: { file: string }) => d.file),
    writtenBy: 'aidwatch',
  },
  [InternalEventTypes.PartitionCaughtUp]: {
    type: InternalEventTypes.PartitionCaughtUp,
    name: 'PartitionCaughtUp',
    summary: 'The ingestor stored every record a Kafka partition held (its end offset when asked).',
    subject: about('partition', (d: PartitionCaughtUpData) => `${d.topic}/${d.partition}`),
    writtenBy: 'aidwatch',
  },
  [InternalEventTypes.InputQuiet]: {
    type: InternalEventTypes.InputQuiet,
    name: 'InputQuiet',
    summary: 'An AIS source reporting over HTTP, UDP or TCP sent nothing for a quiet period.',
    subject: about('input', (d: InputQuietData) => d.source),
    writtenBy: 'aidwatch',
  },
};

export const InternalCatalogueEntries: readonly InternalEventRow[] = Object.values(
  InternalEventCatalogue,
) as InternalEventRow[];

/** Every event type AidWatch stores or publishes, inbound rows first, each with who writes it. */
export const EventTable: readonly (EventRow & { writtenBy: 'producers' | 'aidwatch' })[] = [
  ...CatalogueEntries.map((e) => ({ ...(e as EventRow), writtenBy: 'producers' as const })),
  ...InternalCatalogueEntries,
];

/** The row of any stored or published type, undefined for any other string. */
export function eventRowOf(type: string): (typeof EventTable)[number] | undefined {
  return rowsByType.get(type);
}
const rowsByType = new Map(EventTable.map((row) => [row.type as string, row]));

/** What any stored event is about, from its row; undefined for a type without a row. */
export function subjectOfStoredEvent(event: {
  type: string;
  data: unknown;
}): { kind: EventSubjectKind; id: string } | undefined {
  return eventRowOf(event.type)?.subject.of(event.data as never);
}

/**
 * The types a stored view folds, as event-type prefixes: first a family prefix (`aidwatch.flag.`) for each
 * family AidWatch writes itself, so that the view also reads its superseded versions, then the exact type
 * of each inbound one. Rows' order, without repeats.
 */
export function typePrefixesFoldedBy(view: EventView): string[] {
  const folded = EventTable.filter((row) => row.views?.includes(view));
  return [
    ...new Set([
      ...folded.filter((row) => row.writtenBy === 'aidwatch').map((row) => familyPrefixOf(row.type)),
      ...folded.filter((row) => row.writtenBy === 'producers').map((row) => row.type),
    ]),
  ];
}

/** `aidwatch.alert.` for `aidwatch.alert.resolved.v1`: the first two segments of a type and a dot. */
export function familyPrefixOf(type: string): string {
  return type.split('.').slice(0, 2).join('.') + '.';
}

/**
 * What the alert relay (Kafka alerts topic), the webhook outbox and the alert stream deliver, as event-type
 * prefixes: the rows whose `views` name `notifications` (flags and the alert lifecycle, every version).
 */
export const NotificationEventPrefixes: readonly string[] = typePrefixesFoldedBy('notifications');

/**
 * The stored events whose `evidence` keeps raw positions from being archived, as event-type prefixes: the
 * rows whose `views` name `retention` (flags, raised and cleared, every version).
 */
export const RetentionCitingEventPrefixes: readonly string[] = typePrefixesFoldedBy('retention');
