import type { AllFilter, StoredEvent } from '@aidwatch/event-store';

/**
 * A read model or process fed by a catch-up subscription. `apply` may do I/O (e.g. append flags); the
 * runner awaits it before moving on, and checkpoints only after it resolved (at-least-once, so `apply`
 * must be idempotent — the detection projection derives stable event ids for that).
 */
export interface Projection {
  readonly name: string;
  readonly filter?: AllFilter;
  apply(event: StoredEvent): Promise<void> | void;
  /** JSON-serialisable state saved with the checkpoint. */
  snapshot(): unknown;
  /**
   * Optional, for checkpoints whose cost follows what changed: a small head plus the entries (per subject)
   * changed since the last call, a full snapshot or a restore (`undefined` value: the entry is gone); with
   * `all`, every entry. `restore` then receives `{ head, entries }` with every entry saved so far.
   */
  snapshotChanges?(all: boolean): SnapshotChanges;
  /**
   * Optional, preferred to `snapshotChanges`: the same checkpoint, read a subject at a time, so the runner writes
   * it in parts with the event loop free in between (while the projection waits, so it stays consistent).
   * With `all`, every subject is listed.
   */
  checkpointParts?(all: boolean): CheckpointParts;
  restore(snapshot: unknown): void;
  /** Back to the empty state (for a rebuild). */
  reset(): void;
  /**
   * Optional: whether `apply` left work for later to keep each event's cost bounded (detection's fan-out of a
   * programme-wide change). The runner then calls `settle` between events, a slice at a time, until none is
   * left; a rebuild calls it at the end.
   */
  unsettled?(): boolean;
  /** Optional (with `unsettled`): does a slice of the work left for later (may do I/O, like `apply`). */
  settle?(): Promise<void>;
  /**
   * Optional: resolves true once the writes `apply` started and did not wait for are done (detection's flags),
   * or false if they are not within `timeoutMs`. The runner flushes before a checkpoint commits (and gives the
   * checkpoint up when they are not) and in `caughtUp`.
   */
  flush?(timeoutMs?: number): Promise<boolean>;
}

export interface CheckpointParts {
  head: unknown;
  /** Subjects changed since the last checkpoint (all of them when asked). */
  keys: string[];
  /** A subject's entry now; undefined: the subject is gone. */
  entry(key: string): unknown;
}

export interface SnapshotChanges {
  head: unknown;
  changes: Array<[key: string, value: unknown]>;
}
