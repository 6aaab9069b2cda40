/** Cleared flag ids one subject remembers (to mark their raise again `reopened`), the most recent kept. */
export const MAX_CLEARED_KEPT = 512;

/**
 * How many times each flag id of one subject (a consignment's scope, a vessel) was cleared while it is not
 * open: raised again on the same evidence, the flag carries `reopened` (that count), so its events have ids of
 * their own and no reader takes it for a repeat of the first raise (docs/contract.md "Flags", v1.11). Keeps
 * the `MAX_CLEARED_KEPT` most recently cleared (a flag whose evidence grew seldom comes back as it was);
 * an older one raised again is taken for a repeat.
 */
export class ClearedFlagIds {
  /** Flag id → times cleared, least recently cleared first. */
  private readonly times = new Map<string, number>();

  /** From `toJson()`'s pairs (oldest first). */
  constructor(json: ReadonlyArray<[string, number]> = []) {
    for (const [flagId, n] of json) this.times.set(flagId, n);
  }

  get size(): number {
    return this.times.size;
  }

  /** Flag `flagId` was cleared; `reopened`: the count its raise carried (absent the first time). */
  note(flagId: string, reopened: number | undefined): void {
    this.times.delete(flagId);
    this.times.set(flagId, (reopened ?? 0) + 1);
    if (this.times.size > MAX_CLEARED_KEPT) this.times.delete(this.times.keys().next().value as string);
  }

  /** How many times `flagId` was cleared, forgotten as it is raised again; undefined if not remembered. */
  take(flagId: string): number | undefined {
    const times = this.times.get(flagId);
    if (times !== undefined) this.times.delete(flagId);
    return times;
  }

  /** `[flagId, times]` pairs, oldest first (for a checkpoint); undefined when none is remembered. */
  toJson(): Array<[string, number]> | undefined {
    return this.times.size === 0 ? undefined : [...this.times];
  }
}
