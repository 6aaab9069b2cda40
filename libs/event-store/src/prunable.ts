import type { EventStore } from './event-store.port';

/**
 * Rows one prune transaction deletes before it lets the event loop run (each row costs its index entries; a
 * few thousand take milliseconds, and one commit).
 */
export const PRUNE_BATCH_ROWS = 2000;

/** Thrown by `prune` for an event that is its stream's newest: heads are never pruned (nothing is deleted). */
export class PruneHeadError extends Error {
  constructor(
    readonly eventId: string,
    readonly streamId: string,
    readonly revision: number,
  ) {
    super(
      `Event ${eventId} is the newest of stream ${streamId} (revision ${revision}): heads are never pruned`,
    );
    this.name = 'PruneHeadError';
  }
}

/**
 * A store that can delete stored events once they are archived elsewhere (storage retention of raw
 * positions, docs/audit.md): the embedded and the PostgreSQL stores. KurrentDB's own scavenging is not
 * driven by AidWatch.
 */
export interface PrunableEventStore extends EventStore {
  /**
   * Deletes stored events by id, in transactions of `PRUNE_BATCH_ROWS` rows in the order given, yielding to
   * the event loop between them; a crash leaves a prefix deleted. Ids not stored are skipped (a repeated
   * prune completes an interrupted one). Never deletes a stream's newest event: such an id fails its
   * transaction with PruneHeadError (the batches before it stay deleted). Heads, revisions and positions of
   * the events left are unchanged. Returns how many rows were deleted.
   */
  prune(ids: readonly string[]): Promise<number>;
}

export function isPrunable(store: EventStore): store is PrunableEventStore {
  return typeof (store as Partial<PrunableEventStore>).prune === 'function';
}
