import {
  DetectionEngine,
  defaultDetectionConfig,
  type DetectionConfig,
  type FlagChanges,
} from '@aidwatch/detection';
import { PositionLog } from '@aidwatch/detection/testing';
import {
  storeEventId,
  streamOf,
  type AidEvent,
  type Flag,
  type FlagClearedData,
  type PortDeclaredData,
} from '@aidwatch/domain';
import type { EventStore, NewEvent } from '@aidwatch/event-store';
import { defaultPorts } from '@aidwatch/maritime';

/** `rule:subject:severity`, the shape the scenario tests compare flags in. */
export const flagLine = (f: Pick<Flag, 'rule' | 'subject' | 'severity'>): string =>
  `${f.rule}:${f.subject.id}:${f.severity}`;

/**
 * A detection engine with the default thresholds and the region's ports, fed event by event, keeping the
 * flags open after each step (a raise replaces an open flag with the same fingerprint). The positions fed so
 * far are its vessels' history: corridor replays asked for by late paperwork read them (time model 9).
 */
export class EngineFeed {
  readonly engine: DetectionEngine;
  readonly raised: Flag[] = [];
  readonly cleared: FlagClearedData[] = [];
  private readonly open = new Map<string, Flag>();
  private readonly history = new PositionLog();

  constructor(
    config: DetectionConfig = defaultDetectionConfig(),
    ports: readonly PortDeclaredData[] = defaultPorts(),
  ) {
    this.engine = new DetectionEngine(config, ports);
  }

  /** Folds `events` in order, then (the stream gone quiet) what a large fan-out left for later. */
  feed(events: Iterable<AidEvent>): this {
    for (const event of events) {
      const changes = this.engine.handle(event);
      this.history.record(event);
      const replayed = this.engine.replayRoutes(this.history);
      changes.raised.push(...replayed.raised);
      changes.cleared.push(...replayed.cleared);
      this.note(changes);
    }
    this.note(this.engine.settle());
    return this;
  }

  private note(changes: FlagChanges): void {
    for (const c of changes.cleared) {
      this.open.delete(c.flagId);
      this.cleared.push(c);
    }
    for (const f of changes.raised) {
      this.open.set(f.flagId, f);
      this.raised.push(f);
    }
  }

  openFlags(): Flag[] {
    return [...this.open.values()].sort(
      (a, b) => flagLine(a).localeCompare(flagLine(b)) || a.flagId.localeCompare(b.flagId),
    );
  }

  /** Open flags as sorted `rule:subject:severity` lines. */
  lines(): string[] {
    return this.openFlags().map(flagLine).sort();
  }

  openIds(): string[] {
    return [...this.open.keys()].sort();
  }
}

/**
 * Appends events to their streams in the given order, one append per run of consecutive events of a stream,
 * so the store's global order is exactly the given order (as the demo loader does).
 */
export async function appendInOrder(store: EventStore, events: readonly AidEvent[]): Promise<void> {
  for (let i = 0; i < events.length;) {
    const stream = streamOf(events[i]);
    const batch: NewEvent[] = [];
    for (; i < events.length && streamOf(events[i]) === stream; i++) {
      const e = events[i];
      batch.push({ id: storeEventId(e), type: e.type, data: e, metadata: { channel: 'test' } });
    }
    await store.append(stream, batch, 'any');
  }
}
