import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';

/**
 * The tamper-evidence link of a stored event (DESIGN.md §9, issue #12): each event's hash covers its
 * content and the hash of the previous event in its stream, so editing any stored event breaks the chain
 * at exactly that event. Content is canonical JSON (RFC 8785, JCS) hashed with SHA-256, lower-case hex.
 *
 * The link lives in the event's metadata under `chain` (every adapter stores metadata), and the hash covers
 * the metadata without that key. `recordedAt` and `position` are not covered: they are the store's, and
 * KurrentDB assigns them after the append.
 */
export interface ChainLink {
  /** Hash of the previous event of the stream; null for revision 0. */
  previous: string | null;
  hash: string;
}

/** What the hash covers. */
export interface ChainedContent {
  streamId: string;
  revision: number;
  id: string;
  type: string;
  data: unknown;
  /** Without `chain`. */
  metadata: Record<string, unknown>;
}

export const CHAIN_METADATA_KEY = 'chain';

/**
 * SHA-256 (hex) of the RFC 8785 canonical form of `{previous, streamId, revision, id, type, data, metadata}`.
 * The canonical text is assembled from its members in JCS order (keys sorted by UTF-16 code units: data, id,
 * metadata, previous, revision, streamId, type), each member canonicalised by `canonicalize`: the same bytes
 * as canonicalising the whole object, without walking it twice. Throws a TypeError for content JSON cannot
 * carry (NaN, Infinity).
 */
export function chainHash(previous: string | null, content: ChainedContent): string {
  const data = canonicalOf(content.data, content.id);
  const metadata = canonicalOf(content.metadata, content.id) as string;
  return sha256Hex(canonicalText(previous, content, data, metadata));
}

function canonicalText(
  previous: string | null,
  content: Pick<ChainedContent, 'streamId' | 'revision' | 'id' | 'type'>,
  data: string | undefined,
  metadata: string,
): string {
  return (
    (data === undefined ? '{' : `{"data":${data},`) +
    `"id":${JSON.stringify(content.id)},"metadata":${metadata},"previous":${JSON.stringify(previous)},` +
    `"revision":${canonicalOf(content.revision, content.id) as string},` +
    `"streamId":${JSON.stringify(content.streamId)},"type":${JSON.stringify(content.type)}}`
  );
}

function canonicalOf(value: unknown, id: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    return canonicalize(value);
  } catch (error) {
    throw new TypeError(`Event ${id} cannot be canonicalised: ${(error as Error).message}`);
  }
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The metadata without its chain link (what the hash covers). */
export function unchainedMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  if (!(CHAIN_METADATA_KEY in metadata)) return metadata;
  const { [CHAIN_METADATA_KEY]: _link, ...rest } = metadata;
  return rest;
}

/** The chain link stored in an event's metadata, or undefined if it has none (written before chaining). */
export function chainLinkOf(metadata: Record<string, unknown>): ChainLink | undefined {
  const link = metadata[CHAIN_METADATA_KEY] as Partial<ChainLink> | undefined;
  if (!link || typeof link.hash !== 'string') return undefined;
  return { previous: typeof link.previous === 'string' ? link.previous : null, hash: link.hash };
}

/**
 * The canonical (RFC 8785) text of an event's `data` and `metadata`, made when the event is prepared, so
 * the chain hash needs neither the values again (a caller may change them afterwards) nor a parse of the
 * stored JSON. Undefined when they cannot be canonicalised exactly as they are stored (NaN, Infinity, or
 * metadata that already has a `chain` key): `linkEvent` then works from the stored JSON.
 */
export function canonicalParts(
  data: unknown,
  metadata: Record<string, unknown>,
): { data: string; metadata: string } | undefined {
  if (CHAIN_METADATA_KEY in metadata) return undefined;
  try {
    const parts = { data: canonicalize(data), metadata: canonicalize(metadata) };
    return parts.data === undefined || parts.metadata === undefined
      ? undefined
      : (parts as { data: string; metadata: string });
  } catch {
    return undefined;
  }
}

/**
 * Links a prepared event (JSON `data` and `metadata`, as adapters store them) to its stream: returns the
 * metadata JSON to store (with `chain`) and the new stream head hash.
 */
export function linkEvent(
  previous: string | null,
  streamId: string,
  revision: number,
  event: {
    id: string;
    type: string;
    data: string;
    metadata: string;
    canonical?: { data: string; metadata: string };
  },
): { metadata: string; hash: string } {
  const link = (hash: string) => `"${CHAIN_METADATA_KEY}":${JSON.stringify({ previous, hash })}}`;
  if (event.canonical && event.metadata.endsWith('}')) {
    const content = { streamId, revision, id: event.id, type: event.type };
    const hash = sha256Hex(canonicalText(previous, content, event.canonical.data, event.canonical.metadata));
    const open = event.metadata.slice(0, -1);
    return { metadata: open === '{' ? `{${link(hash)}` : `${open},${link(hash)}`, hash };
  }
  const metadata = unchainedMetadata(JSON.parse(event.metadata) as Record<string, unknown>);
  const data = JSON.parse(event.data) as unknown;
  const hash = chainHash(previous, { streamId, revision, id: event.id, type: event.type, data, metadata });
  return { metadata: JSON.stringify({ ...metadata, [CHAIN_METADATA_KEY]: { previous, hash } }), hash };
}
