import type { AidEvent } from '@aidwatch/domain';
import type { FlagChanges } from './open-flags';

/**
 * A detector folds inbound events (in store order) into its own state and reports flag changes.
 * It is deterministic: the same events in the same order give the same changes and ids, and it never
 * reads the wall clock — time-based rules run off the watermark (latest event time seen, minus an
 * allowed lateness) passed in by the engine.
 */
export interface Detector {
  handle(event: AidEvent, watermark: number): FlagChanges;
  /** Re-evaluates time-based rules when the watermark moved without an event for this detector. */
  advanceWatermark(watermark: number): FlagChanges;
  /** JSON-serialisable state, for checkpoints. */
  snapshot(): unknown;
}
