import fc from 'fast-check';
import { normalizeFilter } from './read-options';
import { RecentAppends, type RecentRow } from './recent-appends';

/*
 * A page from memory is the page the file would give. Modelled: a file that this store's commits and other
 * connections' commits append to (positions one after another), prunes that delete rows, and reads from any
 * position with any page size and filter. Whenever memory answers, its events are exactly the file's matching
 * events up to where it says it scanned.
 */

type Step =
  | { kind: 'ours'; events: Array<{ stream: string; type: string }> }
  | { kind: 'theirs'; count: number }
  | { kind: 'prune'; picks: number[] }
  | { kind: 'read'; back: number; limit: number; filter: number };

const streams = ['vessel-1', 'vessel-2', 'consignment-1'];
const types = ['aidwatch.ais.position.v1', 'aidwatch.consignment.registered.v1'];
const filters = [
  normalizeFilter(undefined),
  normalizeFilter({ streamPrefixes: ['vessel-'] }),
  normalizeFilter({ eventTypePrefixes: ['aidwatch.consignment.'] }),
  normalizeFilter({ streamPrefixes: ['consignment-'], eventTypePrefixes: ['aidwatch.ais.'] }),
];

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('ours' as const),
      events: fc.array(fc.record({ stream: fc.constantFrom(...streams), type: fc.constantFrom(...types) }), {
        minLength: 1,
        maxLength: 6,
      }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('theirs' as const), count: fc.integer({ min: 1, max: 3 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('prune' as const),
      picks: fc.array(fc.nat(), { maxLength: 3 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      back: fc.nat({ max: 25 }),
      limit: fc.integer({ min: 1, max: 8 }),
      filter: fc.nat({ max: filters.length - 1 }),
    }),
  },
);

function rowAt(position: number, stream: string, type: string): RecentRow {
  return {
    position,
    id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type,
    streamId: stream,
    revision: position,
    data: JSON.stringify({ n: position, text: `é ${position}` }),
    metadata: JSON.stringify({ chain: { previous: null, hash: `h${position}` } }),
    recordedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('RecentAppends', () => {
  it('answers a read only with what the file would give, up to where it scanned (property)', () => {
    let answered = 0;
    let declined = 0;
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        (steps, maxEvents) => {
          const recent = new RecentAppends({ maxEvents, maxChars: 1_000_000 });
          const file: RecentRow[] = [];
          let head = 0;
          for (const s of steps) {
            if (s.kind === 'ours')
              for (const e of s.events) {
                const row = rowAt(++head, e.stream, e.type);
                file.push(row);
                recent.add(row);
              }
            else if (s.kind === 'theirs')
              for (let i = 0; i < s.count; i++) file.push(rowAt(++head, streams[0], types[0]));
            else if (s.kind === 'prune') {
              recent.clear();
              // Never the newest row (the store keeps each stream's newest, so the newest of all).
              for (const pick of s.picks) if (file.length > 1) file.splice(pick % (file.length - 1), 1);
            } else {
              const after = Math.max(0, head - s.back);
              const filter = filters[s.filter];
              const page = recent.page(after, s.limit, filter);
              if (!page) {
                declined++;
                continue;
              }
              answered++;
              const matching = file.filter(
                (r) =>
                  r.position > after &&
                  r.position <= page.scannedTo &&
                  (!filter.streamPrefixes || filter.streamPrefixes.some((p) => r.streamId.startsWith(p))) &&
                  (!filter.eventTypePrefixes || filter.eventTypePrefixes.some((p) => r.type.startsWith(p))),
              );
              expect(page.scannedTo).toBeGreaterThan(after);
              expect(page.scannedTo).toBeLessThanOrEqual(head);
              expect(page.events.length).toBeLessThanOrEqual(s.limit);
              // Full: it stopped at its last event; short: it scanned all it holds.
              if (page.events.length === s.limit)
                expect(page.scannedTo).toBe(Number(page.events[page.events.length - 1].position));
              expect(page.events).toEqual(
                matching.map((r) => ({
                  id: r.id,
                  type: r.type,
                  streamId: r.streamId,
                  revision: r.revision,
                  position: String(r.position),
                  data: JSON.parse(r.data),
                  metadata: JSON.parse(r.metadata),
                  recordedAt: r.recordedAt,
                })),
              );
            }
          }
        },
      ),
      { numRuns: 500 },
    );
    // Both ways were taken: the property says something about answers given.
    expect(answered).toBeGreaterThan(200);
    expect(declined).toBeGreaterThan(200);
  });

  it('declines a read at or after the end of its span, before it, and after a clear', () => {
    const recent = new RecentAppends();
    const all = normalizeFilter(undefined);
    expect(recent.page(0, 10, all)).toBeUndefined();
    for (let p = 5; p <= 7; p++) recent.add(rowAt(p, 'vessel-1', types[0]));
    expect(recent.page(3, 10, all)).toBeUndefined();
    expect(recent.page(4, 10, all)?.events.map((e) => e.position)).toEqual(['5', '6', '7']);
    expect(recent.page(7, 10, all)).toBeUndefined();
    // Another connection wrote 8: the span starts again at 9.
    recent.add(rowAt(9, 'vessel-1', types[0]));
    expect(recent.page(7, 10, all)).toBeUndefined();
    expect(recent.page(8, 10, all)?.events.map((e) => e.position)).toEqual(['9']);
    recent.clear();
    expect(recent.page(8, 10, all)).toBeUndefined();
    expect(recent.served).toBe(4);
  });

  it('lets the oldest rows go past its limits of events and of characters', () => {
    const all = normalizeFilter(undefined);
    const byCount = new RecentAppends({ maxEvents: 3, maxChars: 1_000_000 });
    for (let p = 1; p <= 5; p++) byCount.add(rowAt(p, 'vessel-1', types[0]));
    expect(byCount.size).toBe(3);
    expect(byCount.page(1, 10, all)).toBeUndefined();
    expect(byCount.page(2, 10, all)?.events.map((e) => e.position)).toEqual(['3', '4', '5']);
    const one = rowAt(1, 'vessel-1', types[0]);
    const charsOfOne = Object.values(one).reduce(
      (n: number, v) => n + (typeof v === 'string' ? v.length : 0),
      0,
    );
    const byChars = new RecentAppends({ maxEvents: 100, maxChars: 2 * charsOfOne });
    for (let p = 1; p <= 4; p++) byChars.add(rowAt(p, 'vessel-1', types[0]));
    expect(byChars.size).toBe(2);
    // A row larger than the whole budget is not kept: nothing is answered until smaller ones come.
    byChars.add({ ...rowAt(5, 'vessel-1', types[0]), data: JSON.stringify('x'.repeat(3 * charsOfOne)) });
    expect(byChars.size).toBe(0);
    expect(byChars.page(4, 10, all)).toBeUndefined();
    byChars.add(rowAt(6, 'vessel-1', types[0]));
    expect(byChars.page(5, 10, all)?.events.map((e) => e.position)).toEqual(['6']);
    // Thousands of rows through a small window: the kept array is compacted, the answers stay right.
    const many = new RecentAppends({ maxEvents: 10, maxChars: 1_000_000 });
    for (let p = 1; p <= 5000; p++) many.add(rowAt(p, 'vessel-1', types[0]));
    expect(many.page(4995, 2, all)?.events.map((e) => e.position)).toEqual(['4996', '4997']);
    // The rows let go are not held on to until then: memory is bounded by the limits, not by compaction.
    const slots = (many as unknown as { rows: unknown[] }).rows;
    expect(slots.filter((row) => row !== undefined)).toHaveLength(many.size);
  });
});
