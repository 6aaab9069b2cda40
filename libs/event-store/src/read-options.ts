import type { AllFilter, ReadStreamOptions } from './event-store.port';

/** Prefix lists that restrict something: an absent or empty list keeps everything. */
export interface NormalizedFilter {
  eventTypePrefixes: string[] | undefined;
  streamPrefixes: string[] | undefined;
}

export function normalizeFilter(filter: AllFilter | undefined): NormalizedFilter {
  const nonEmpty = (list: string[] | undefined) => (list && list.length > 0 ? [...list] : undefined);
  return {
    eventTypePrefixes: nonEmpty(filter?.eventTypePrefixes),
    streamPrefixes: nonEmpty(filter?.streamPrefixes),
  };
}

export function matchesFilter(filter: NormalizedFilter, streamId: string, type: string): boolean {
  const { eventTypePrefixes, streamPrefixes } = filter;
  if (eventTypePrefixes && !eventTypePrefixes.some((prefix) => type.startsWith(prefix))) return false;
  if (streamPrefixes && !streamPrefixes.some((prefix) => streamId.startsWith(prefix))) return false;
  return true;
}

export function checkCount(maxCount: number | undefined): number {
  if (maxCount === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(maxCount) || maxCount < 0)
    throw new RangeError(`maxCount must be a whole number ≥ 0`);
  return maxCount;
}

export function checkStreamRead(options: ReadStreamOptions | undefined): {
  backwards: boolean;
  fromRevision: number | undefined;
  maxCount: number;
} {
  const fromRevision = options?.fromRevision;
  if (fromRevision !== undefined && (!Number.isInteger(fromRevision) || fromRevision < 0)) {
    throw new RangeError('fromRevision must be a whole number ≥ 0');
  }
  return {
    backwards: options?.direction === 'backwards',
    fromRevision,
    maxCount: checkCount(options?.maxCount),
  };
}

/** Positions of the embedded and in-memory stores: a sequence number 1, 2, 3… written in decimal. */
export function parseSequencePosition(position: string | undefined): number {
  if (position === undefined) return 0;
  if (!/^\d{1,15}$/.test(position))
    throw new TypeError(`Not a position of this store: ${JSON.stringify(position)}`);
  return Number(position);
}
