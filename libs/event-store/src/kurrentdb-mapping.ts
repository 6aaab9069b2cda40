import type { RecordedEvent } from '@kurrent/kurrentdb-client';
import type { StoredEvent } from './event-store.port';

/** A position in KurrentDB's transaction log, written `<commit>/<prepare>` in the port's opaque strings. */
export interface LogPosition {
  commit: bigint;
  prepare: bigint;
}

export function formatLogPosition(position: LogPosition): string {
  return `${position.commit}/${position.prepare}`;
}

export function parseLogPosition(position: string): LogPosition {
  const match = /^(\d+)\/(\d+)$/.exec(position);
  if (!match) throw new TypeError(`Not a KurrentDB position: ${JSON.stringify(position)}`);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}

export function compareLogPositions(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** Streams and event types starting with `$` belong to the server (statistics, metadata, links). */
export function isSystemEvent(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

export function toStored(event: RecordedEvent): StoredEvent {
  if (!event.position)
    throw new Error('KurrentDB did not return event positions (server 22.6 or later needed)');
  const metadata = event.metadata;
  return {
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: formatLogPosition(event.position),
    data: event.isJson ? event.data : Buffer.from(event.data as Uint8Array).toString('base64'),
    metadata:
      metadata &&
      typeof metadata === 'object' &&
      !Array.isArray(metadata) &&
      !(metadata instanceof Uint8Array)
        ? (metadata as Record<string, unknown>)
        : {},
    recordedAt: event.created.toISOString(),
  };
}
