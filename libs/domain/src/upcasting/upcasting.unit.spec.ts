import fc from 'fast-check';
import { EventTypes, SupersededEventTypes } from '../event-types';
import { flagRaisedV1, flagsV1, type FlagV1 } from '../testing';
import { EventUpcasters, upcastEvent } from './event-upcasters';
import { explanationWithoutMonitor, flagRaisedV1ToV2 } from './flag-raised.upcasters';
import { UpcasterRegistry, UpcasterRegistryError, type Upcaster } from './upcaster-registry';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261201;
const V1 = SupersededEventTypes.FlagRaisedV1;
const V2 = EventTypes.FlagRaised;

const step = (from: string, to: string, field: string): Upcaster => ({
  from,
  to,
  upcast: (data) => ({ ...(data as object), [field]: true }),
});

/** Freezes a value and everything in it: an upcaster that writes to its argument throws (strict mode). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe('UpcasterRegistry', () => {
  const registry = new UpcasterRegistry([
    step('test.thing.v2', 'test.thing.v3', 'v3'),
    step('test.thing.v1', 'test.thing.v2', 'v2'),
    step('test.old-name.v1', 'test.thing.v1', 'renamed'),
  ]);

  it('applies every step from the stored version to the current one, in order', () => {
    const stored = { id: 'e1', type: 'test.old-name.v1', data: { a: 1 }, position: '7' };
    expect(registry.upcast(stored)).toEqual({
      id: 'e1',
      type: 'test.thing.v3',
      data: { a: 1, renamed: true, v2: true, v3: true },
      position: '7',
    });
    expect(registry.upcast({ type: 'test.thing.v2', data: {} })).toEqual({
      type: 'test.thing.v3',
      data: { v3: true },
    });
  });

  it('returns an event of a current type as it is (the same object)', () => {
    const current = { type: 'test.thing.v3', data: { a: 1 } };
    expect(registry.upcast(current)).toBe(current);
    const unknown = { type: 'something.else.v1', data: null };
    expect(registry.upcast(unknown)).toBe(unknown);
  });

  it('knows each type’s current version and older versions, also by prefix (for filters)', () => {
    expect(registry.currentTypeOf('test.old-name.v1')).toBe('test.thing.v3');
    expect(registry.currentTypeOf('test.thing.v3')).toBe('test.thing.v3');
    expect(registry.olderVersionsOf('test.thing.v3')).toEqual([
      'test.old-name.v1',
      'test.thing.v1',
      'test.thing.v2',
    ]);
    expect(registry.olderVersionsOf('test.thing.v2')).toEqual([]);
    expect(registry.olderTypesMatching('test.thing.')).toEqual(['test.old-name.v1']);
    expect(registry.olderTypesMatching('test.')).toEqual([]);
    expect(registry.isSuperseded('test.thing.v1')).toBe(true);
    expect(registry.isSuperseded('test.thing.v3')).toBe(false);
  });

  it('refuses steps that do not form chains: two successors, a step to itself, a loop', () => {
    expect(() => new UpcasterRegistry([step('a.v1', 'a.v2', 'x'), step('a.v1', 'a.v3', 'y')])).toThrow(
      UpcasterRegistryError,
    );
    expect(() => new UpcasterRegistry([step('a.v1', 'a.v1', 'x')])).toThrow(/itself/);
    expect(() => new UpcasterRegistry([step('a.v1', 'a.v2', 'x'), step('a.v2', 'a.v1', 'y')])).toThrow(
      /loop/,
    );
  });
});

describe('the upcasters of AidWatch’s stored types', () => {
  it('lead every superseded type to a current one, and start from nothing current', () => {
    const current = new Set<string>(Object.values(EventTypes));
    for (const type of Object.values(SupersededEventTypes)) {
      expect(EventUpcasters.isSuperseded(type)).toBe(true);
      expect(current.has(EventUpcasters.currentTypeOf(type))).toBe(true);
    }
    for (const { from } of EventUpcasters.list()) expect(current.has(from)).toBe(false);
  });
});

describe(`${V1} → ${V2}`, () => {
  const [denied, finding, shrinkage] = flagsV1('MON-017');

  it('drops the monitor from observed and explanation, keeping every other field', () => {
    const read = upcastEvent({ type: V1, data: flagRaisedV1(denied) });
    expect(read.type).toBe(V2);
    expect(read.data).toEqual({
      ...flagRaisedV1(denied),
      type: V2,
      data: {
        ...denied,
        observed: { siteId: denied.observed.siteId, consecutiveDenials: 1, monitors: 1, reasons: ['Closed'] },
        explanation:
          'A monitor was denied access to Sariwon Provincial Paediatric Hospital (KP-SHW-SARIWON-PH) on ' +
          '2024-04-02: Closed; 3 denials in a row escalate.',
      },
    });
    expect(Object.keys((read.data as { data: FlagV1 }).data.observed)).toEqual([
      'siteId',
      'consecutiveDenials',
      'monitors',
      'reasons',
    ]);
  });

  it('rewrites each v1 sentence that named a monitor, and cites the monitor nowhere', () => {
    const flags = [denied, finding, shrinkage].map(
      (f) => (upcastEvent({ type: V1, data: flagRaisedV1(f) }).data as { data: FlagV1 }).data,
    );
    expect(flags.map((f) => f.explanation.slice(0, 30))).toEqual([
      'A monitor was denied access to',
      'A monitor reported the goods n',
      'A monitor accounted for 1,100 ',
    ]);
    expect(flags[1].observed).toEqual({
      verificationId: 'VER-0117-1',
      finding: 'not_found',
      siteId: 'KP-SHW-SARIWON-PH',
    });
    for (const flag of flags) expect(JSON.stringify(flag)).not.toContain('MON-017');
    expect(flags.map((f) => [f.flagId, f.fingerprint, f.evidence])).toEqual(
      [denied, finding, shrinkage].map((f) => [f.flagId, f.fingerprint, f.evidence]),
    );
  });

  it('counts monitors once each and leaves out a `monitors` it cannot count', () => {
    const observed = (monitors: unknown) =>
      (flagRaisedV1ToV2.upcast({ type: V1, data: { observed: { monitors } } }) as { data: FlagV1 }).data
        .observed;
    expect(observed(['MON-1', 'MON-2', 'MON-1'])).toEqual({ monitors: 2 });
    expect(observed(3)).toEqual({ monitors: 3 });
    expect(observed('MON-1')).toEqual({});
  });

  it('is total: any data stored under the v1 type reads as v2 without an error, its argument untouched', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (data) => {
        const stored = deepFreeze({ type: V1, data: structuredClone(data) });
        const read = upcastEvent(stored);
        expect(read.type).toBe(V2);
        expect(stored.data).toEqual(data);
        expect(() => JSON.stringify(read)).not.toThrow();
      }),
      { seed, numRuns: 500 },
    );
  });

  it('is total on generated v1 flags: any monitor id, any sentence, none of it left in observed', () => {
    const flag = fc.record({
      monitorId: fc.string({ minLength: 1, maxLength: 40 }),
      which: fc.integer({ min: 0, max: 2 }),
      tail: fc.string({ maxLength: 80 }),
      extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 4 }),
    });
    fc.assert(
      fc.property(flag, ({ monitorId, which, tail, extra }) => {
        const v1 = flagsV1(monitorId)[which];
        const verb = ['was denied access to', 'reported', 'accounted for'][which];
        const explanation = `Monitor ${monitorId} ${verb} ${tail}`;
        const stored = deepFreeze({
          type: V1,
          data: flagRaisedV1({ ...v1, observed: { ...extra, ...v1.observed }, explanation }),
        });
        const read = upcastEvent(stored).data as { type: string; data: FlagV1 };
        expect(read.type).toBe(V2);
        expect(read.data.explanation).toBe(`A monitor ${verb} ${tail}`);
        expect(read.data.observed.monitorId).toBeUndefined();
        if ('monitors' in read.data.observed) expect(typeof read.data.observed.monitors).toBe('number');
        expect(read.data.flagId).toBe(v1.flagId);
      }),
      { seed, numRuns: 500 },
    );
  });

  it('is idempotent: an event of the current version reads as itself, and reading twice changes nothing more', () => {
    const anyEvent = fc.record({ type: fc.constantFrom(V1, V2), data: fc.jsonValue() });
    fc.assert(
      fc.property(anyEvent, (stored) => {
        const once = upcastEvent(stored);
        expect(upcastEvent(once)).toBe(once);
        if (stored.type === V2) expect(once).toBe(stored);
      }),
      { seed, numRuns: 500 },
    );
  });

  it('matches an id it knows exactly, and any other opening by its verb', () => {
    expect(explanationWithoutMonitor('Monitor Kim Ok reported a discrepancy at X.', ['Kim Ok'])).toBe(
      'A monitor reported a discrepancy at X.',
    );
    expect(explanationWithoutMonitor('Monitor Kim Ok accounted for 5 t at X.', [])).toBe(
      'A monitor accounted for 5 t at X.',
    );
    expect(explanationWithoutMonitor('3 monitoring visits in a row were denied.', ['MON-1'])).toBe(
      '3 monitoring visits in a row were denied.',
    );
  });
});
