import { planAppend, prepareEvents } from './append-policy';
import { WrongExpectedRevisionError, type ExpectedRevision } from './event-store.port';

/** A stream holding ids a, b, c at revisions 0, 1, 2. */
const held: Record<string, number> = { a: 0, b: 1, c: 2 };
const plan = (batch: string[], expected: ExpectedRevision, current = 2) =>
  planAppend(
    'consignment-1',
    batch.map((id) => ({ id })),
    expected,
    current,
    (id) => held[id],
  ).map((event) => event.id);

describe('planAppend', () => {
  it.each<[string, string[], ExpectedRevision]>([
    ['a retry of the first batch, as first sent', ['a', 'b'], 'no_stream'],
    ['a retry of a later batch, as first sent', ['c'], 1],
    ['a retry with any', ['b', 'c'], 'any'],
  ])('writes nothing for %s, whatever the stream holds now', (_, batch, expected) => {
    expect(plan(batch, expected)).toEqual([]);
  });

  it.each<[string, string[], ExpectedRevision, number]>([
    ['held ids in another order, stale expectation', ['b', 'a'], 0, 2],
    ['a held id with no_stream, not where it was first written', ['b'], 'no_stream', 2],
    ['a new id with a stale revision', ['d'], 1, 2],
    ['stream_exists on an empty stream', ['d'], 'stream_exists', -1],
  ])('conflicts for %s', (_, batch, expected, current) => {
    expect(() => plan(batch, expected, current)).toThrow(WrongExpectedRevisionError);
  });

  it('writes only the ids the stream does not hold, each once', () => {
    expect(plan(['c', 'd', 'a', 'd', 'e'], 2)).toEqual(['d', 'e']);
  });

  it('an empty batch only checks the expectation', () => {
    expect(plan([], 2)).toEqual([]);
    expect(() => plan([], 'no_stream')).toThrow(WrongExpectedRevisionError);
  });
});

describe('prepareEvents', () => {
  it('lower-cases ids and stores data and metadata as JSON, undefined data as null', () => {
    const [event] = prepareEvents('s', [
      { id: 'A0B1C2D3-0000-4000-8000-00000000000A', type: 't', data: undefined },
    ]);

    expect(event).toEqual({
      id: 'a0b1c2d3-0000-4000-8000-00000000000a',
      type: 't',
      data: 'null',
      metadata: '{}',
      canonical: { data: 'null', metadata: '{}' },
    });
  });

  it('rejects ids that are not UUIDs, empty types and empty stream ids', () => {
    expect(() => prepareEvents('s', [{ id: 'order-1', type: 't', data: {} }])).toThrow(TypeError);
    expect(() =>
      prepareEvents('s', [{ id: '00000000-0000-4000-8000-000000000000', type: '', data: {} }]),
    ).toThrow(TypeError);
    expect(() => prepareEvents('', [])).toThrow(TypeError);
  });
});
