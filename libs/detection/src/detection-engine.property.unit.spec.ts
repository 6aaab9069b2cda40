import fc from 'fast-check';
import { EventTypes, validateCloudEventCompiled, type AidEvent, type Flag } from '@aidwatch/domain';
import { defaultDetectionConfig } from './detection-config';
import { DetectionEngine, eventTimeOf } from './detection-engine';
import type { FlagChanges } from './open-flags';
import { interleavedBySource } from './diversion/testing/diversion-harness';
import { StoryExemptions, storyEvents } from './diversion/testing/diversion-story.fixture';
import { OPEN_SEA, offsetKm, position } from './maritime/testing/maritime-scenario';

/*
 * Properties of the whole engine over generated logs of independent stories, each from its own CloudEvents
 * sources and shifted in time against the others: the consignment story of one exemption (WFP, UNICEF, or FAO
 * with the consignment held under an unknown exemption that shares its bill of lading), or the AIS track of
 * one vessel in its own stretch of sea. Final open flags are compared after every input has been moved to
 * one common horizon, by rule, subject and flag id (the id follows rule, subject, key and evidence).
 */

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261130;
const DAY = 86_400_000;

type StoryKind = 'wfp' | 'unicef' | 'fao' | 'vessel-1' | 'vessel-2' | 'vessel-3';
const storyKinds: StoryKind[] = ['wfp', 'unicef', 'fao', 'vessel-1', 'vessel-2', 'vessel-3'];

/** Reference data every log starts with: the ports of the consignment story. */
const prelude = storyEvents.filter((e) => e.type === EventTypes.PortDeclared);

const exemptionGroups: Record<string, 'wfp' | 'unicef' | 'fao'> = {
  [StoryExemptions.wfp]: 'wfp',
  [StoryExemptions.unicef]: 'unicef',
  [StoryExemptions.fao]: 'fao',
  [StoryExemptions.unknown]: 'fao',
};

/** The story's consignment groups; vessel positions of the story belong to none (they would link groups). */
function consignmentGroupOf(event: AidEvent): string | undefined {
  const data = event.data as { consignmentId?: string; exemptionId?: string };
  if (data.consignmentId?.startsWith('C-WFP')) return 'wfp';
  if (data.consignmentId?.startsWith('C-UNI')) return 'unicef';
  if (data.consignmentId?.startsWith('C-FAO') || data.consignmentId === 'C-HELD') return 'fao';
  if (data.consignmentId === undefined && data.exemptionId) return exemptionGroups[data.exemptionId];
  return undefined;
}

const ISO = /^\d{4}-\d{2}-\d{2}T/;
/** Every date of the event (envelope and data) moved by `offset` ms, every source tagged with `tag`. */
function shifted(event: AidEvent, offset: number, tag: string): AidEvent {
  const move = (value: unknown): unknown => {
    if (typeof value === 'string' && ISO.test(value))
      return new Date(Date.parse(value) + offset).toISOString();
    if (Array.isArray(value)) return value.map(move);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, move(v)]));
    return value;
  };
  return {
    ...event,
    source: `${event.source}/${tag}`,
    time: move(event.time),
    data: move(event.data),
  } as AidEvent;
}

interface TrackShape {
  everyMinutes: number;
  count: number;
  sog: number;
  /** A silence of `gapHours` after fix `gapAfter` (0: none). */
  gapAfter: number;
  gapHours: number;
}

const T0 = Date.parse('2024-03-01T00:00:00.000Z');

/** One vessel eastbound on its own parallel, 60 km from the others', reported by its own AIS station. */
function vesselStory(index: number, shape: TrackShape): AidEvent[] {
  const mmsi = `41200000${index}`;
  const from = offsetKm(OPEN_SEA, 0, 60 * index);
  const out: AidEvent[] = [];
  let at = T0;
  let km = 0;
  for (let i = 0; i < shape.count; i++) {
    const step = i === shape.gapAfter && i > 0 ? shape.gapHours * 60 : shape.everyMinutes;
    if (i > 0) {
      at += step * 60_000;
      km += shape.sog * 1.852 * (step / 60);
    }
    out.push({ ...position(mmsi, at, offsetKm(from, km, 0), shape.sog), source: `/ais/station-${index}` });
  }
  return out;
}

interface Story {
  kind: StoryKind;
  events: AidEvent[];
}

function storyOf(kind: StoryKind, offset: number, shape: TrackShape): Story {
  const base = kind.startsWith('vessel-')
    ? vesselStory(Number(kind.slice('vessel-'.length)), shape)
    : storyEvents.filter((e) => consignmentGroupOf(e) === kind);
  return { kind, events: base.map((e) => shifted(e, offset, kind)) };
}

const trackShape: fc.Arbitrary<TrackShape> = fc.record({
  everyMinutes: fc.constantFrom(3, 5, 10, 30),
  count: fc.integer({ min: 3, max: 40 }),
  sog: fc.constantFrom(0, 0.3, 6, 11),
  gapAfter: fc.integer({ min: 0, max: 20 }),
  gapHours: fc.integer({ min: 1, max: 30 }),
});
/** Days to months either way, to the minute. */
const offset = fc
  .tuple(fc.integer({ min: -150, max: 150 }), fc.integer({ min: 0, max: 1439 }))
  .map(([days, minute]) => days * DAY + minute * 60_000);
const storyArb = (kind: StoryKind) =>
  fc.tuple(offset, trackShape).map(([o, shape]) => storyOf(kind, o, shape));

/** Two or three stories of distinct kinds, each with its own offset. */
const stories = (minLength: number, maxLength: number) =>
  fc
    .shuffledSubarray(storyKinds, { minLength, maxLength })
    .chain((kinds) => fc.tuple(...kinds.map(storyArb)));
const extraDays = fc.integer({ min: 0, max: 60 });

const horizonOf = (all: Story[], extra: number) =>
  Math.max(...all.flatMap((s) => s.events.map(eventTimeOf))) + extra * DAY;

/** A random merge of the logs by source, each source keeping its own order. */
const interleaved = (all: Story[], mergeSeed: number): AidEvent[] =>
  interleavedBySource(
    all.flatMap((s) => s.events),
    mergeSeed,
  );

class Run {
  engine = new DetectionEngine();
  readonly open = new Map<string, Flag>();
  readonly changes: string[] = [];

  apply(c: FlagChanges): void {
    for (const f of c.raised) {
      this.open.set(f.flagId, f);
      this.changes.push(`+${f.flagId}`);
    }
    for (const f of c.cleared) {
      this.open.delete(f.flagId);
      this.changes.push(`-${f.flagId}`);
    }
  }

  feed(events: readonly AidEvent[]): this {
    for (const e of events) this.apply(this.engine.handle(e));
    return this;
  }

  finish(horizon: number): string[] {
    this.apply(this.engine.advanceWatermark(horizon));
    return [...this.open.values()]
      .map((f) => `${f.rule} ${f.subject.kind}:${f.subject.id} ${f.flagId}`)
      .sort();
  }

  /** Continues in an engine restored from this one's snapshot (as JSON), as a restart would. */
  restart(): this {
    const saved = JSON.parse(JSON.stringify(this.engine.snapshot())) as unknown;
    this.engine = DetectionEngine.restore(saved, defaultDetectionConfig(), []);
    return this;
  }
}

const openFlags = (events: readonly AidEvent[], horizon: number) =>
  new Run().feed([...prelude, ...events]).finish(horizon);

const union = (...sets: string[][]) => [...new Set(sets.flat())].sort();

describe('DetectionEngine properties (generated independent stories from different sources)', () => {
  const params = (numRuns: number) => ({ seed, numRuns });

  it('generates valid contract events', () => {
    fc.assert(
      fc.property(stories(2, 3), (all) => {
        for (const e of all.flatMap((s) => s.events)) expect(validateCloudEventCompiled(e).ok).toBe(true);
      }),
      params(10),
    );
  });

  it('flags(A then B) = flags(B then A) = flags(A) ∪ flags(B)', () => {
    fc.assert(
      fc.property(stories(2, 2), extraDays, ([a, b], extra) => {
        const horizon = horizonOf([a, b], extra);
        const alone = union(openFlags(a.events, horizon), openFlags(b.events, horizon));
        expect(openFlags([...a.events, ...b.events], horizon)).toEqual(alone);
        expect(openFlags([...b.events, ...a.events], horizon)).toEqual(alone);
      }),
      params(25),
    );
  });

  it('any interleaving that keeps each source in its own order leaves the same open flags', () => {
    fc.assert(
      fc.property(stories(2, 3), extraDays, fc.noBias(fc.integer()), (all, extra, mergeSeed) => {
        const horizon = horizonOf(all, extra);
        const inOrder = openFlags(
          all.flatMap((s) => s.events),
          horizon,
        );
        expect(openFlags(interleaved(all, mergeSeed), horizon)).toEqual(inOrder);
      }),
      params(25),
    );
  });

  it('a rebuild, with or without a restart from a snapshot mid-way, raises and clears the same flag ids', () => {
    fc.assert(
      fc.property(
        stories(2, 3),
        extraDays,
        fc.noBias(fc.integer()),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (all, extra, mergeSeed, cutAt) => {
          const horizon = horizonOf(all, extra);
          const log = [...prelude, ...interleaved(all, mergeSeed)];
          const cut = Math.floor(cutAt * log.length);
          const live = new Run().feed(log);
          const liveOpen = live.finish(horizon);
          const rebuilt = new Run().feed(log);
          expect(rebuilt.finish(horizon)).toEqual(liveOpen);
          expect(rebuilt.changes).toEqual(live.changes);
          const restarted = new Run().feed(log.slice(0, cut)).restart().feed(log.slice(cut));
          expect(restarted.finish(horizon)).toEqual(liveOpen);
          expect(restarted.changes).toEqual(live.changes);
        },
      ),
      params(20),
    );
  });
});
