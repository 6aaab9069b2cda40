import type { Fence } from '@aidwatch/event-store';
import type { SnapshotChanges } from './projection';

/** Marks a checkpoint row whose state lives in per-subject slot rows. */
export const INCREMENTAL = 'aidwatch.checkpoint.incremental';

export interface Checkpoint {
  position: string;
  snapshot: unknown;
  updatedAt: string;
  /** Saved by `saveChanges` or in parts (head plus per-subject entries) rather than whole. */
  incremental: boolean;
}

/** The head row of an incremental checkpoint: `generation` committed, rows older than `base` dropped. */
export interface IncrementalHead {
  [INCREMENTAL]: true;
  head: unknown;
  generation?: number;
  base?: number;
}

export function isIncremental(snapshot: unknown): snapshot is IncrementalHead {
  return typeof snapshot === 'object' && snapshot !== null && INCREMENTAL in snapshot;
}

/**
 * The checkpoint port: projection checkpoints and state snapshots, and the active version of blue/green
 * projections. Adapters: SQLite beside the service (SqliteCheckpointStore, the default) and PostgreSQL
 * (PostgresCheckpointStore, with EVENT_STORE=postgres: no shared filesystem). Both pass one contract suite
 * (testing/checkpoint-store.contract.ts). Also the dependency-injection token services ask for.
 *
 * A snapshot is stored whole, or incrementally: a head in the checkpoint row and rows per subject, of which
 * a checkpoint writes only the changed ones. An incremental checkpoint can be written in parts
 * (`writePart`, any number of transactions) and then made the checkpoint by `commitParts`, one small
 * transaction. Each subject has two slots: a part writes into the slot that does not hold the subject's
 * committed value, stamped with the checkpoint's generation; `load` takes, per subject, the newest row up to
 * the committed generation. Rows of a checkpoint that was never committed (a crash half-way) are newer than
 * the committed generation: `load` ignores them and the next `beginParts` deletes them; generations are
 * never reused.
 *
 * One writer per projection name at a time (the detector's lease decides which); readers may be many.
 */
export abstract class CheckpointStore {
  /** The active version of a blue/green projection (undefined: the unversioned original). */
  abstract activeVersion(name: string): Promise<string | undefined>;
  /** Makes `version` the one a blue/green projection serves. */
  abstract activate(name: string, version: string): Promise<void>;
  /** The checkpoint and its state (incremental ones assembled from their subject rows); undefined if none. */
  abstract load(name: string): Promise<Checkpoint | undefined>;
  /** The position a projection's checkpoint has reached, without reading its snapshot; undefined if none. */
  abstract positionOf(name: string): Promise<string | undefined>;
  /** Every committed checkpoint (projection name, position reached, when as ISO 8601), by name. */
  abstract committed(): Promise<Array<{ name: string; position: string; updatedAt: string }>>;
  /** Saves the whole state (dropping any per-subject entries of an earlier incremental checkpoint). */
  abstract save(name: string, position: string, snapshot: unknown, at: Date): Promise<void>;
  /**
   * Saves the head and the changed entries with the position, in one transaction; `replace` first drops
   * every entry saved before (the state was not restored from this checkpoint).
   */
  abstract saveChanges(
    name: string,
    position: string,
    changes: SnapshotChanges,
    at: Date,
    replace?: boolean,
  ): Promise<void>;
  /**
   * Starts a checkpoint written in parts: drops the parts of a checkpoint that was never committed and
   * returns the new generation, newer than any written before.
   */
  abstract beginParts(name: string): Promise<number>;
  /** Writes some subjects' entries of checkpoint `generation` (undefined: the subject is gone); not visible until committed. */
  abstract writePart(
    name: string,
    generation: number,
    rows: Array<[key: string, value: unknown]>,
  ): Promise<void>;
  /**
   * Makes the parts written for `generation` the checkpoint at `position`, with `head`, in one transaction.
   * `replace`: the parts hold every subject (entries of earlier checkpoints are dropped).
   */
  abstract commitParts(
    name: string,
    generation: number,
    position: string,
    head: unknown,
    at: Date,
    replace: boolean,
  ): Promise<void>;
  /**
   * Resolves once the I/O the store runs beside the thread (the SQLite store's syncs after each part) is done,
   * so that a write called next does its work within the call: the runner awaits it before a commit, whose
   * time on the thread it measures. Resolves at once unless a store has such I/O.
   */
  async drain(): Promise<void> {}
  /** Drops a projection's checkpoint and every subject row of it. */
  abstract delete(name: string): Promise<void>;
  /**
   * Erasure (`aidwatch forget`): drops every checkpoint whose head or subject rows hold `value` (a data
   * subject's clear personal value, matched as it appears inside a JSON string), so those projections rebuild
   * from the log, where the value is sealed and, once its key is destroyed, unreadable; the freed storage is
   * rewritten so no page still holds it. Returns the names dropped, sorted. Checkpoints that never held the
   * value are kept. Services writing these checkpoints must be stopped first: a running one writes its
   * in-memory state back at its next checkpoint.
   */
  abstract dropHolding(value: string): Promise<string[]>;
  abstract close(): Promise<void>;

  /**
   * Makes every later write of these projections' checkpoints check `fence` in its transaction (a detector's
   * lease generation, so a former leader cannot commit after a takeover); undefined removes it. Other
   * projections of the process (an all-in-one process's API) are not fenced. The SQLite adapter has no
   * leases (one machine, one detector) and ignores it.
   */
  fenceWith(_fence: Fence | undefined, _names: readonly string[]): void {}
}
