import type { AppConfig } from '@aidwatch/config';
import { LeasedCheckpointWriter, type CheckpointStore } from '@aidwatch/projections';

/**
 * Who writes the checkpoint `name` that every API replica folds: on PostgreSQL one replica at a time, the
 * holder of its lease (`LeasedCheckpointWriter`, time to live three checkpoint intervals and at least 30 s, so
 * the writer keeps it while it writes and another takes over once it stops); undefined elsewhere (one
 * process writes its own checkpoints).
 */
export function checkpointWriterFor(
  config: AppConfig,
  checkpoints: CheckpointStore,
  name: string,
): LeasedCheckpointWriter | undefined {
  if (config.eventStore.kind !== 'postgres') return undefined;
  return new LeasedCheckpointWriter(checkpoints, name, {
    connectionString: config.eventStore.connectionString,
    ttlMs: Math.max(30_000, 3 * config.checkpointEveryMs),
  });
}
