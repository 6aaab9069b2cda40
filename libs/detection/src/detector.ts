import type { AidEvent } from '@aidwatch/domain';
import type { FlagChanges } from './open-flags';

/**
 * A detector folds inbound events (in store order) into its own state and reports flag changes.
 * It is deterministic: the same events in the same order give the same changes and ids, and it never
 * reads the wall clock — time-based rules run off the clock of the subject they judge, derived from the
 * watermarks of the inputs (CloudEvents sources) that report it (see `InputClocks`).
 */
export interface Detector {
  /**
   * `lane`: the Kafka partition it came by (`<topic>/<partition>`), none for HTTP; `pending`: the records still
   * pending on that partition when it was fetched (0 when unknown), see `InputClocks.observe`.
   */
  handle(event: AidEvent, lane?: string, pending?: number): FlagChanges;
  /** Moves every input's watermark to `watermark` and judges what came due (end of a bounded input). */
  advanceWatermark(watermark: number): FlagChanges;
  /** JSON-serialisable state, for checkpoints. */
  snapshot(): unknown;
}
