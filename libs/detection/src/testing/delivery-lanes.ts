import type { AidEvent, Flag } from '@aidwatch/domain';
import type { DetectionEngine } from '../detection-engine';
import type { FlagChanges } from '../open-flags';

/** An event and the lane it came by (`<topic>/<partition>`), as the projection hands it to detection. */
export interface Delivered {
  event: AidEvent;
  lane: string;
}

/** A partition for a message key, as a producer's hashing partitioner would pick it (FNV-1a). */
export function partitionOf(key: string, partitions: number): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h >>> 0) % partitions;
}

/** A flag as property tests compare it: rule, subject and id. */
export const flagLine = (f: Flag): string => `${f.rule} ${f.subject.kind}:${f.subject.id} ${f.flagId}`;

/**
 * Feeds an engine and keeps what property tests compare: the open flags at the end and every flag raised on
 * the way. `restartAt` (an index into `events`) continues in an engine restored from a JSON snapshot.
 */
export function runDelivery(
  start: () => DetectionEngine,
  restore: (snapshot: unknown) => DetectionEngine,
  prelude: readonly AidEvent[],
  events: readonly Delivered[],
  horizon: number,
  restartAt = -1,
): { open: string[]; raisedOnTheWay: Set<string> } {
  let engine = start();
  const open = new Map<string, Flag>();
  const raisedOnTheWay = new Set<string>();
  const apply = (c: FlagChanges) => {
    for (const f of c.raised) {
      open.set(f.flagId, f);
      raisedOnTheWay.add(flagLine(f));
    }
    for (const f of c.cleared) open.delete(f.flagId);
  };
  for (const e of prelude) apply(engine.handle(e));
  events.forEach(({ event, lane }, i) => {
    if (i === restartAt) engine = restore(JSON.parse(JSON.stringify(engine.snapshot())) as unknown);
    apply(engine.handle(event, lane));
  });
  apply(engine.advanceWatermark(horizon));
  return { open: [...open.values()].map(flagLine).sort(), raisedOnTheWay };
}
