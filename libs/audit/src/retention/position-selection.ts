import { RetentionCitingEventPrefixes } from '@aidwatch/domain';
import type { EventStore, Position, StoredEvent } from '@aidwatch/event-store';
import { comparePositions } from '../store-reading';

/** Why a stored event stays in the store although retention looked at it. */
export type KeepReason = 'not a raw position' | 'not judged' | 'too recent' | 'cited' | 'newest';

/** What retention decides by (docs/audit.md, "Retention of raw positions"). */
export interface RetentionRules {
  /** The raw AIS position types (RawPositionEventTypes of the catalogue). */
  positionTypes: ReadonlySet<string>;
  /** Only events the store recorded before this instant (epoch ms) go. */
  beforeMs: number;
  /** Detection's checkpoint position: events after it are not judged yet and stay. */
  judgedUpTo: Position;
  /** CloudEvent ids cited as evidence by a flag. */
  cited: { has(cloudEventId: string): boolean };
}

/** The producer's CloudEvent id of a stored fact (what a flag's `evidence` holds), if it has one. */
export function cloudEventIdOf(event: Pick<StoredEvent, 'data'>): string | undefined {
  const id = (event.data as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Whether retention may move a stored event out of the store, and if not, why: it must be a raw AIS position
 * report, at a store position detection has checkpointed, recorded (store time) before the cutoff, not
 * cited as evidence by any flag, and not the newest event of its stream (`headRevision`: the stream's
 * newest revision), so stream heads, checkpoints and appends never see a difference. Undefined: it may go.
 */
export function keepReason(
  event: StoredEvent,
  headRevision: number,
  rules: RetentionRules,
): KeepReason | undefined {
  const id = cloudEventIdOf(event);
  if (!rules.positionTypes.has(event.type) || id === undefined) return 'not a raw position';
  if (comparePositions(event.position, rules.judgedUpTo) > 0) return 'not judged';
  if (!(Date.parse(event.recordedAt) < rules.beforeMs)) return 'too recent';
  if (rules.cited.has(id)) return 'cited';
  if (event.revision >= headRevision) return 'newest';
  return undefined;
}

/** A store that lists its streams by prefix from an index (the embedded store). */
interface StreamIndex {
  streamIdsStartingWith?(prefix: string): Promise<string[]>;
}

/** Streams that hold flags (StreamNames.risk). */
export const RISK_STREAM_PREFIX = 'risk-';

/**
 * Every CloudEvent id a stored flag event cites as `evidence` (raised and cleared, every version). On a store
 * with a stream index (the embedded store's `streamIdsStartingWith`) it reads the risk streams only; on
 * another (PostgreSQL) it reads the flag events in the global order, filtered by type in the store, from
 * where it stopped (that order never skips an event committed late). `catchUp` reads what was appended since
 * its last call, so a long-running service reads each flag once. Memory: one entry per cited id.
 */
export class CitedEvidence {
  private readonly ids = new Set<string>();
  private readonly nextRevision = new Map<string, number>();
  private after: Position | undefined;

  has(cloudEventId: string): boolean {
    return this.ids.has(cloudEventId);
  }

  get size(): number {
    return this.ids.size;
  }

  /** Reads the flag events appended since the last call; returns how many new ids they cite. */
  async catchUp(store: EventStore & StreamIndex, pageSize = 1000): Promise<number> {
    const before = this.ids.size;
    if (typeof store.streamIdsStartingWith !== 'function') {
      for (;;) {
        const page = await store.readAll({
          ...(this.after !== undefined && { after: this.after }),
          maxCount: pageSize,
          filter: { eventTypePrefixes: [...RetentionCitingEventPrefixes] },
        });
        for (const event of page) {
          if (event.streamId.startsWith(RISK_STREAM_PREFIX)) this.addEvidenceOf(event);
          this.after = event.position;
        }
        if (page.length < pageSize) return this.ids.size - before;
      }
    }
    for (const streamId of await store.streamIdsStartingWith(RISK_STREAM_PREFIX)) {
      let from = this.nextRevision.get(streamId) ?? 0;
      for (;;) {
        const page = await store.readStream(streamId, { fromRevision: from, maxCount: pageSize });
        for (const event of page) {
          if (RetentionCitingEventPrefixes.some((p) => event.type.startsWith(p))) this.addEvidenceOf(event);
          from = event.revision + 1;
        }
        if (page.length < pageSize) break;
      }
      this.nextRevision.set(streamId, from);
    }
    return this.ids.size - before;
  }

  private addEvidenceOf(event: StoredEvent): void {
    const evidence = (event.data as { data?: { evidence?: unknown } } | null)?.data?.evidence;
    if (!Array.isArray(evidence)) return;
    for (const id of evidence) if (typeof id === 'string') this.ids.add(id);
  }
}
