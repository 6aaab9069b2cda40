import type { AidEvent } from '@aidwatch/domain';
import type { FlagDraft } from '../../flag-draft';
import type { FlagChanges } from '../../open-flags';
import { defaultDiversionConfig, type DiversionConfig } from '../diversion-config';
import type { DiversionContext, DiversionRule } from '../diversion-context';
import type { DiversionDetector } from '../diversion-detector';
import { DiversionState } from '../diversion-state';
import { factTimeOf } from '../consignment-facts';

// The domain's sample builders (one coherent WFP story) are shared with every other test.
export * from '../../../../domain/src/testing';

export const timeOf = (iso: string): number => Date.parse(iso);

export interface Judgement {
  drafts: FlagDraft[];
  /** The earliest moment a time-based judgement may change; Infinity when none waits. */
  nextDeadline: number;
  ctx: DiversionContext;
}

/** Folds `events` (in the given order) and lets one rule judge one consignment at a watermark. */
export function judge(
  rule: DiversionRule,
  events: readonly AidEvent[],
  options: { consignmentId: string; watermark?: string | number; config?: Partial<DiversionConfig> },
): Judgement {
  const state = new DiversionState();
  for (const e of events) state.apply(e);
  const latest = events.reduce((max, e) => Math.max(max, factTimeOf(e)), Number.NEGATIVE_INFINITY);
  const watermark =
    typeof options.watermark === 'string' ? timeOf(options.watermark) : (options.watermark ?? latest);
  const deadlines = { next: Number.POSITIVE_INFINITY };
  const config = { ...defaultDiversionConfig, ...options.config };
  const ctx = state.context(options.consignmentId, watermark, config, deadlines);
  const drafts = rule(ctx);
  return { drafts, nextDeadline: deadlines.next, ctx };
}

/** Feeds events the way the detection engine does (each input's watermark is the latest event time it gave). */
export function feed(
  detector: DiversionDetector,
  events: readonly AidEvent[],
  from = Number.NEGATIVE_INFINITY,
): FlagChanges {
  const changes: FlagChanges = { raised: [], cleared: [] };
  const merge = (c: FlagChanges) => {
    changes.raised.push(...c.raised);
    changes.cleared.push(...c.cleared);
  };
  if (Number.isFinite(from)) merge(detector.advanceWatermark(from));
  for (const e of events) merge(detector.handle(e));
  // The stream goes quiet: what a large fan-out left for later is judged (as the detection projection does).
  merge(detector.settle());
  return changes;
}

/** A seeded PRNG (mulberry32), so shuffled orders are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random merge of a log by CloudEvents source, each source keeping its own order (seeded). */
export function interleavedBySource(events: readonly AidEvent[], seed: number): AidEvent[] {
  const queues = new Map<string, AidEvent[]>();
  for (const e of events) queues.set(e.source, [...(queues.get(e.source) ?? []), e]);
  const lists = [...queues.values()];
  const random = seededRandom(seed);
  const out: AidEvent[] = [];
  while (lists.length > 0) {
    const i = Math.floor(random() * lists.length);
    out.push(lists[i].shift()!);
    if (lists[i].length === 0) lists.splice(i, 1);
  }
  return out;
}

export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Handles `event` once every input known so far has reached `watermark` (as if the feeds had moved on). */
export function handleAt(detector: DiversionDetector, event: AidEvent, watermark: number): FlagChanges {
  const changes = detector.advanceWatermark(watermark);
  const c = detector.handle(event);
  return { raised: [...changes.raised, ...c.raised], cleared: [...changes.cleared, ...c.cleared] };
}
