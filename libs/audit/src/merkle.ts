import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';

/** The head of one stream: its last revision and that event's chain hash. */
export interface StreamHead {
  streamId: string;
  revision: number;
  hash: string;
}

const sha256 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/** RFC 6962 §2.1 leaf hash of a stream head: SHA-256(0x00 ‖ JCS([streamId, revision, hash])). */
export function headLeaf(head: StreamHead): Buffer {
  return sha256(LEAF, Buffer.from(canonicalize([head.streamId, head.revision, head.hash]) ?? '', 'utf8'));
}

/**
 * The Merkle tree hash of RFC 6962 §2.1 (as Certificate Transparency computes it) over the stream heads
 * sorted by stream id: leaves SHA-256(0x00 ‖ leaf), nodes SHA-256(0x01 ‖ left ‖ right), split at the
 * largest power of two below the count. Lower-case hex; the empty tree is SHA-256 of nothing.
 */
export function merkleRoot(heads: readonly StreamHead[]): string {
  const sorted = [...heads].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
  if (sorted.length === 0) return sha256().toString('hex');
  return treeHash(sorted.map(headLeaf)).toString('hex');
}

function treeHash(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0];
  let split = 1;
  while (split * 2 < leaves.length) split *= 2;
  return sha256(NODE, treeHash(leaves.slice(0, split)), treeHash(leaves.slice(split)));
}
