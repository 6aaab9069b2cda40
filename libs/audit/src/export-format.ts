import { chainLinkOf, unchainedMetadata, type StoredEvent } from '@aidwatch/event-store';
import type { ChainedEvent } from './chain-verifier';

export const EXPORT_STARTED_TYPE = 'aidwatch.audit.export-started.v1';
export const EXPORT_COMPLETED_TYPE = 'aidwatch.audit.export-completed.v1';
export const STORE_SOURCE = 'aidwatch/event-store';

/**
 * One stored event as a CloudEvent (JSON format): the stored `data` (for facts, the producer's own
 * CloudEvent) unchanged, the store's record in extension attributes. Everything the chain hash covers is
 * here, so a third party recomputes it: see docs/audit.md.
 */
export interface ExportedEvent {
  specversion: '1.0';
  id: string;
  source: typeof STORE_SOURCE;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  aidwatchstream: string;
  aidwatchrevision: number;
  aidwatchposition: string;
  /** JSON text of the stored metadata without its chain link. */
  aidwatchmetadata: string;
  /** Hash of the previous event of the stream; "" for revision 0. */
  aidwatchprevious: string;
  aidwatchhash: string;
  data: unknown;
}

export function exportedEventOf(event: StoredEvent): ExportedEvent {
  const link = chainLinkOf(event.metadata);
  return {
    specversion: '1.0',
    id: event.id,
    source: STORE_SOURCE,
    type: event.type,
    subject: event.streamId,
    time: event.recordedAt,
    datacontenttype: 'application/json',
    aidwatchstream: event.streamId,
    aidwatchrevision: event.revision,
    aidwatchposition: event.position,
    aidwatchmetadata: JSON.stringify(unchainedMetadata(event.metadata)),
    aidwatchprevious: link?.previous ?? '',
    aidwatchhash: link?.hash ?? '',
    data: event.data,
  };
}

/** The stored event a line stands for, with its chain link back in the metadata. */
export function chainedEventOf(line: ExportedEvent): ChainedEvent {
  const metadata = JSON.parse(line.aidwatchmetadata) as Record<string, unknown>;
  return {
    streamId: line.aidwatchstream,
    revision: line.aidwatchrevision,
    id: line.id,
    type: line.type,
    data: line.data,
    position: line.aidwatchposition,
    metadata: line.aidwatchhash
      ? { ...metadata, chain: { previous: line.aidwatchprevious || null, hash: line.aidwatchhash } }
      : metadata,
  };
}

export const CSV_COLUMNS = [
  'position',
  'stream',
  'revision',
  'id',
  'type',
  'recordedAt',
  'previous',
  'hash',
  'metadata',
  'data',
] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
const csvField = (value: string | number): string => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export const csvHeader = (): string => CSV_COLUMNS.join(',') + '\r\n';

export function csvRowOf(event: StoredEvent): string {
  const e = exportedEventOf(event);
  return (
    [
      e.aidwatchposition,
      e.aidwatchstream,
      e.aidwatchrevision,
      e.id,
      e.type,
      e.time,
      e.aidwatchprevious,
      e.aidwatchhash,
      e.aidwatchmetadata,
      JSON.stringify(e.data),
    ]
      .map(csvField)
      .join(',') + '\r\n'
  );
}
