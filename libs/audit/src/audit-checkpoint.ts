import { InternalEventTypes } from '@aidwatch/domain';
import {
  chainLinkOf,
  storedFormOf,
  type EventStore,
  type NewEvent,
  type StoredEvent,
} from '@aidwatch/event-store';
import { merkleRoot, type StreamHead } from './merkle';
import { readAllInPages } from './store-reading';

export const CHECKPOINT_STREAM = 'audit-checkpoints';
export const CHECKPOINT_TYPE = InternalEventTypes.AuditCheckpoint;
export const AUDIT_SOURCE = 'aidwatch/audit';

/** What a checkpoint records: the head of every stream up to a store position, and their Merkle root. */
export interface CheckpointData {
  /** The store position the heads were taken at (inclusive). */
  coversPosition: string;
  streams: number;
  /** RFC 6962 Merkle tree hash over `heads` (see merkle.ts), lower-case hex. */
  root: string;
  /** `[streamId, revision, hash]`, sorted by stream id. */
  heads: Array<[string, number, string]>;
}

/** The stream heads of a store, folded event by event (`evolve`). */
export class StreamHeads {
  private readonly heads = new Map<string, StreamHead>();
  private last: string | null = null;

  evolve(event: StoredEvent): void {
    const link = chainLinkOf(event.metadata);
    this.last = event.position;
    if (link)
      this.heads.set(event.streamId, { streamId: event.streamId, revision: event.revision, hash: link.hash });
  }

  get position(): string | null {
    return this.last;
  }

  get size(): number {
    return this.heads.size;
  }

  toJson(): { position: string | null; heads: Array<[string, number, string]> } {
    return {
      position: this.last,
      heads: [...this.heads.values()].map((h) => [h.streamId, h.revision, h.hash]),
    };
  }

  static fromJson(json: { position: string | null; heads: Array<[string, number, string]> }): StreamHeads {
    const heads = new StreamHeads();
    heads.last = json.position;
    for (const [streamId, revision, hash] of json.heads)
      heads.heads.set(streamId, { streamId, revision, hash });
    return heads;
  }

  checkpoint(): CheckpointData | undefined {
    if (this.last === null) return undefined;
    const heads = [...this.heads.values()].sort((a, b) =>
      a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0,
    );
    return {
      coversPosition: this.last,
      streams: heads.length,
      root: merkleRoot(heads),
      heads: heads.map((h) => [h.streamId, h.revision, h.hash]),
    };
  }
}

/** The checkpoint as a stored event: a CloudEvent whose data is the checkpoint. */
export function checkpointEvent(checkpoint: CheckpointData, id: string, time: Date): NewEvent {
  return {
    id,
    type: CHECKPOINT_TYPE,
    data: {
      specversion: '1.0',
      id,
      source: AUDIT_SOURCE,
      type: CHECKPOINT_TYPE,
      time: time.toISOString(),
      datacontenttype: 'application/json',
      data: checkpoint,
    },
    metadata: { causation: 'audit' },
  };
}

export function checkpointDataOf(event: StoredEvent): CheckpointData | undefined {
  if (event.type !== CHECKPOINT_TYPE) return undefined;
  return (event.data as { data?: CheckpointData }).data;
}

/**
 * Reads the whole store as stored, takes every stream's head and appends a checkpoint over them (nothing
 * when the store is empty). Returns the stored checkpoint event.
 */
export async function writeCheckpoint(
  readable: EventStore,
  newId: () => string,
  now: () => Date,
): Promise<StoredEvent | undefined> {
  const store = storedFormOf(readable);
  const heads = new StreamHeads();
  for await (const event of readAllInPages(store, { pageSize: 5000 })) heads.evolve(event);
  const checkpoint = heads.checkpoint();
  if (!checkpoint) return undefined;
  await store.append(CHECKPOINT_STREAM, [checkpointEvent(checkpoint, newId(), now())]);
  const [stored] = await store.readStream(CHECKPOINT_STREAM, { direction: 'backwards', maxCount: 1 });
  return stored;
}

/** The newest checkpoint in the store (as stored), if any. */
export async function latestCheckpoint(store: EventStore): Promise<StoredEvent | undefined> {
  const [stored] = await storedFormOf(store).readStream(CHECKPOINT_STREAM, {
    direction: 'backwards',
    maxCount: 1,
  });
  return stored;
}
