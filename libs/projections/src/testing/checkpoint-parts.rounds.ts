/** Subjects of the checkpoints `checkpoint-parts.worker.ts` writes; the upper half only at even rounds. */
export const CRASH_SUBJECTS = 1000;

/**
 * The round whose value subject `key` holds in a committed checkpoint of round `round`: every round writes the
 * lower half of the subjects, even rounds the upper half too (`checkpoint-parts.worker.ts`).
 */
export function expectedRound(key: number, round: number): number {
  return key < CRASH_SUBJECTS / 2 || round % 2 === 0 ? round : round - 1;
}
