import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { PostgresLease } from '@aidwatch/event-store';
import type { CheckpointStore } from './checkpoint-store';
import type { CheckpointWriter } from './projection-runner';

/**
 * One writer at a time for a checkpoint that several processes keep under one name (the alert book of API
 * replicas sharing PostgreSQL), by a lease in `aidwatch_leases` named `checkpoint:<name>` (`PostgresLease`).
 * Each `claim()` takes the lease if it is free, expired or already ours (renewing it for `ttlMs`); whoever
 * claims first after the holder's lease lapsed writes next. On a new generation the checkpoint store is fenced
 * with it, so a former writer (paused, cut off) can no longer commit anything under the name once another has
 * taken over, and the new writer writes everything before it writes only what changed.
 *
 * `ttlMs` should be several checkpoint intervals: the writer then keeps the lease while it keeps writing, and
 * another replica takes over only after it stopped (or fell silent for that long).
 */
export class LeasedCheckpointWriter implements CheckpointWriter {
  private readonly lease: PostgresLease;
  private generation: number | undefined;

  constructor(
    private readonly checkpoints: CheckpointStore,
    private readonly name: string,
    options: {
      connectionString: string;
      ttlMs: number;
      /** This process as other processes see it (default: host, pid and a random suffix). */
      holder?: string;
    },
  ) {
    this.lease = new PostgresLease({
      connectionString: options.connectionString,
      name: `checkpoint:${name}`,
      holder: options.holder ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      ttlMs: options.ttlMs,
    });
  }

  /** This process's name as a holder of the lease. */
  get holder(): string {
    return this.lease.holder;
  }

  async claim(): Promise<'none' | 'new' | 'same'> {
    const state = await this.lease.acquire();
    if (state.holder !== this.lease.holder) {
      this.generation = undefined;
      return 'none';
    }
    if (state.generation === this.generation) return 'same';
    this.generation = state.generation;
    this.checkpoints.fenceWith(this.lease.fence(state.generation), [this.name]);
    return 'new';
  }

  /** Ends the lease if held (another replica takes over at its next checkpoint) and closes its connection. */
  async close(): Promise<void> {
    if (this.generation !== undefined) await this.lease.release(this.generation).catch(() => undefined);
    this.generation = undefined;
    await this.lease.close();
  }
}
