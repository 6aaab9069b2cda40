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

/** SHA-256 (hex) of the RFC 8785 canonical form of `{previous, streamId, revision, id, type, data, metadata}`. */
export function chainHash(previous: string | null, content: ChainedContent): string {
  const canonical = canonicalize({
    previous,
    streamId: content.streamId,
    revision: content.revision,
    id: content.id,
    type: content.type,
    data: content.data,
    metadata: content.metadata,
  });
  if (canonical === undefined) throw new TypeError(`Event ${content.id} cannot be canonicalised`);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

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
 * Links a prepared event (JSON `data` and `metadata`, as adapters store them) to its stream: returns the
 * metadata JSON to store (with `chain`) and the new stream head hash.
 */
export function linkEvent(
  previous: string | null,
  streamId: string,
  revision: number,
  event: { id: string; type: string; data: string; metadata: string },
): { metadata: string; hash: string } {
  const metadata = unchainedMetadata(JSON.parse(event.metadata) as Record<string, unknown>);
  const data = JSON.parse(event.data) as unknown;
  const hash = chainHash(previous, { streamId, revision, id: event.id, type: event.type, data, metadata });
  return { metadata: JSON.stringify({ ...metadata, [CHAIN_METADATA_KEY]: { previous, hash } }), hash };
}
