/**
 * Consignments of a programme whose over-authorisation verdict moved with another consignment's change,
 * beyond what one event judges at once, each with the time (ISO 8601) of the event that moved it, oldest
 * first: they are judged a slice per event and by `DiversionDetector.settle`.
 */
export class UnsettledConsignments extends Map<string, string> {
  /** Adds the consignment, moved by an event at `at`, unless it waits already; returns whether it was added. */
  note(consignmentId: string, at: string): boolean {
    if (this.has(consignmentId)) return false;
    this.set(consignmentId, at);
    return true;
  }

  /** Every waiting consignment's id; none waits any more. */
  takeIds(): string[] {
    const ids = [...this.keys()];
    this.clear();
    return ids;
  }

  /** Up to `limit` waiting consignments with their times, oldest first; they wait no more. */
  takeOldest(limit: number): Array<[string, string]> {
    const taken: Array<[string, string]> = [];
    for (const entry of this) {
      if (taken.length >= limit) break;
      taken.push(entry);
    }
    for (const [id] of taken) this.delete(id);
    return taken;
  }
}
