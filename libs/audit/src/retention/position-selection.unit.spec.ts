import fc from 'fast-check';
import { EventTypes, RawPositionEventTypes, storeEventId, type AidEvent } from '@aidwatch/domain';
import { vesselPosition, vesselStatic } from '@aidwatch/domain/testing';
import type { StoredEvent } from '@aidwatch/event-store';
import { keepReason, type RetentionRules } from './position-selection';
import {
  ArchivedRevisions,
  MAX_STREAMS_PER_RECORD,
  positionsArchivedEvents,
  type RevisionRange,
} from './retention-record';

const DAY = 86_400_000;
const now = Date.parse('2026-06-30T00:00:00Z');

/** A fact as the store holds it: the producer's CloudEvent as data. */
function stored(
  event: AidEvent,
  at: { position: number; revision: number; recordedAt: string },
): StoredEvent {
  return {
    id: storeEventId(event),
    type: event.type,
    streamId: 'vessel-413269150',
    revision: at.revision,
    position: String(at.position),
    data: event,
    metadata: {},
    recordedAt: at.recordedAt,
  };
}

const old = { position: 10, revision: 3, recordedAt: '2026-05-01T00:00:00Z' };
const rules = (overrides: Partial<RetentionRules> = {}): RetentionRules => ({
  positionTypes: RawPositionEventTypes,
  beforeMs: now - 30 * DAY,
  judgedUpTo: '100',
  cited: new Set<string>(),
  ...overrides,
});

describe('which raw positions retention may archive', () => {
  it('takes the position types from the catalogue: AIS position reports, not static and voyage data', () => {
    expect([...RawPositionEventTypes]).toEqual([EventTypes.VesselPositionReported]);
  });

  it('archives an old, judged, uncited position that is not its stream’s newest', () => {
    expect(keepReason(stored(vesselPosition(), old), 4, rules())).toBeUndefined();
  });

  it('keeps a position cited as evidence by a flag (by its CloudEvent id)', () => {
    const position = vesselPosition({ id: 'pos-cited' });
    expect(keepReason(stored(position, old), 4, rules({ cited: new Set(['pos-cited']) }))).toBe('cited');
    // The store's own id is not what flags cite.
    expect(keepReason(stored(position, old), 4, rules({ cited: new Set([storeEventId(position)]) }))).toBe(
      undefined,
    );
  });

  it('keeps the newest event of its stream', () => {
    expect(keepReason(stored(vesselPosition(), old), 3, rules())).toBe('newest');
  });

  it('keeps what detection has not checkpointed yet', () => {
    expect(keepReason(stored(vesselPosition(), old), 4, rules({ judgedUpTo: '9' }))).toBe('not judged');
    expect(keepReason(stored(vesselPosition(), old), 4, rules({ judgedUpTo: '10' }))).toBeUndefined();
  });

  it('keeps static and voyage data however old', () => {
    expect(keepReason(stored(vesselStatic(), old), 4, rules())).toBe('not a raw position');
  });

  it('keeps a position recorded (store time, not event time) within the retention period', () => {
    const recent = { ...old, recordedAt: '2026-06-15T00:00:00Z' };
    const oldEventTime = vesselPosition({ data: { at: '2020-01-01T00:00:00Z' } });
    expect(keepReason(stored(oldEventTime, recent), 4, rules())).toBe('too recent');
    const cutoff = new Date(now - 30 * DAY).toISOString();
    expect(keepReason(stored(vesselPosition(), { ...old, recordedAt: cutoff }), 4, rules())).toBe(
      'too recent',
    );
  });
});

describe('retention records', () => {
  it('split a file of more than 2,000 streams into parts with the same file and digest', () => {
    const streams = new Map<string, RevisionRange[]>(
      Array.from({ length: MAX_STREAMS_PER_RECORD * 2 + 1 }, (_, i) => [`vessel-${i}`, [[0, i]]]),
    );
    const summary = {
      file: 'positions-1-9.ndjson.gz',
      sha256: 'a'.repeat(64),
      events: 9,
      before: '2026-06-01T00:00:00.000Z',
      upToPosition: '9',
      fromPosition: '1',
      toPosition: '9',
    };
    const events = positionsArchivedEvents(summary, streams, new Date(now));
    expect(events).toHaveLength(3);
    const parts = events.map(
      (e) => (e.data as { data: { part: number; parts: number; streams: unknown[] } }).data,
    );
    expect(parts.map((p) => [p.part, p.parts, p.streams.length])).toEqual([
      [1, 3, 2000],
      [2, 3, 2000],
      [3, 3, 1],
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(positionsArchivedEvents(summary, streams, new Date(now)).map((e) => e.id)).toEqual(
      events.map((e) => e.id),
    );
  });

  it('accept a gap only when every missing revision was recorded (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(60), fc.nat(6)), { maxLength: 12 }),
        fc.nat(70),
        fc.nat(8),
        (ranges, from, length) => {
          const archived = new ArchivedRevisions();
          const recorded = new Set<number>();
          for (const [start, extra] of ranges) {
            archived.add('s', start, start + extra);
            for (let r = start; r <= start + extra; r++) recorded.add(r);
          }
          let all = true;
          for (let r = from; r <= from + length; r++) all &&= recorded.has(r);
          expect(archived.covers('s', from, from + length)).toBe(all);
          expect(archived.covers('other', from, from + length)).toBe(false);
        },
      ),
      { seed: 20260630, numRuns: 500 },
    );
  });
});
