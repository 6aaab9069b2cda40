import { storedFormOf, type EventStore } from '@aidwatch/event-store';
import { CHECKPOINT_STREAM, checkpointDataOf } from './audit-checkpoint';
import { ChainVerifier, type VerificationReport } from './chain-verifier';
import { readAllInPages, readStreamInPages } from './store-reading';

/**
 * Recomputes every stream's hash chain over the whole store, in store order, and holds the events to the
 * heads recorded by every checkpoint. Names the first broken link. Memory: one page plus one entry per
 * stream and per checkpointed head. Reads the log as stored (`storedFormOf`): events of superseded
 * versions as they were written, personal data sealed — never the upcast or opened view readers get.
 */
export async function verifyStore(
  readable: EventStore,
  onProgress?: (events: number) => void,
): Promise<VerificationReport> {
  const store = storedFormOf(readable);
  const verifier = new ChainVerifier();
  for await (const event of readStreamInPages(store, CHECKPOINT_STREAM)) {
    const checkpoint = checkpointDataOf(event);
    if (checkpoint) verifier.expectCheckpoint(checkpoint, event);
  }
  let count = 0;
  for await (const event of readAllInPages(store)) {
    verifier.evolve(event);
    if (++count % 10_000 === 0) onProgress?.(count);
  }
  for (const missing of verifier.unreachedAnchors()) {
    const at = missing.lastIndexOf('@');
    verifier.fail(
      { streamId: missing.slice(0, at), revision: Number(missing.slice(at + 1)), id: '' },
      'a checkpoint records this head but the store no longer holds it',
    );
  }
  return verifier.report();
}
