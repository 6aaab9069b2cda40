import type { StoredEvent } from '@aidwatch/event-store';
import type { Projection } from '@aidwatch/projections';
import { CHECKPOINT_STREAM, StreamHeads, type CheckpointData } from './audit-checkpoint';

/**
 * Every stream's head, kept by a catch-up subscription so a checkpoint does not re-read the store. Knows
 * whether anything but checkpoints arrived since the last checkpoint (no checkpoint of a quiet store).
 */
export class StreamHeadsProjection implements Projection {
  readonly name = 'audit-stream-heads-v1';
  private heads = new StreamHeads();
  private changedSinceCheckpoint = false;

  apply(event: StoredEvent): void {
    this.heads.evolve(event);
    this.changedSinceCheckpoint = event.streamId !== CHECKPOINT_STREAM;
  }

  /** The checkpoint to write now, or undefined when nothing but checkpoints came since the last one. */
  due(): CheckpointData | undefined {
    return this.changedSinceCheckpoint ? this.heads.checkpoint() : undefined;
  }

  snapshot(): unknown {
    return { heads: this.heads.toJson(), changed: this.changedSinceCheckpoint };
  }

  restore(snapshot: unknown): void {
    const saved = snapshot as { heads: ReturnType<StreamHeads['toJson']>; changed: boolean };
    this.heads = StreamHeads.fromJson(saved.heads);
    this.changedSinceCheckpoint = saved.changed;
  }

  reset(): void {
    this.heads = new StreamHeads();
    this.changedSinceCheckpoint = false;
  }
}
