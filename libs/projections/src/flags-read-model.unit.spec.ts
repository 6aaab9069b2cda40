import fc from 'fast-check';
import { clearedOf } from '@aidwatch/detection';
import { EventTypes, type Flag } from '@aidwatch/domain';
import type { StoredEvent } from '@aidwatch/event-store';
import { flagClearedEvent, flagRaisedEvent } from './flag-events';
import { FlagsReadModel, UnknownCursorError, type FlagQuery } from './flags-read-model';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261206;

const rules = ['ais-gap', 'quantity-shrinkage', 'encounter'] as const;
const severities = ['low', 'high'] as const;

function flagOf(n: number): Flag {
  return {
    flagId: `F${n}`,
    fingerprint: `fp-${n}`,
    rule: rules[n % rules.length],
    severity: severities[n % severities.length],
    subject:
      n % 2 === 0 ? { kind: 'vessel', id: `44100000${n % 3}` } : { kind: 'consignment', id: `CSG-${n % 4}` },
    consignmentIds: [`CSG-${n % 4}`],
    observed: {},
    threshold: {},
    evidence: [],
    explanation: `flag ${n}`,
    raisedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  } as Flag;
}

let position = 0;
function stored(data: unknown, type: string): StoredEvent {
  return {
    id: `e${++position}`,
    type,
    streamId: 'risk',
    revision: 0,
    position: String(position),
    data,
    metadata: {},
    recordedAt: '2026-01-01T00:00:00.000Z',
  } as StoredEvent;
}

function modelOf(count: number, cleared: (n: number) => boolean): FlagsReadModel {
  const model = new FlagsReadModel();
  for (let n = 0; n < count; n++) model.apply(stored(flagRaisedEvent(flagOf(n)), EventTypes.FlagRaised));
  for (let n = 0; n < count; n++)
    if (cleared(n)) {
      const f = flagOf(n);
      model.apply(
        stored(
          flagClearedEvent({
            flagId: f.flagId,
            fingerprint: f.fingerprint,
            rule: f.rule,
            subject: f.subject,
            consignmentIds: f.consignmentIds,
            reason: 'cleared',
            evidence: [],
            clearedAt: '2026-02-01T00:00:00.000Z',
          }),
          EventTypes.FlagCleared,
        ),
      );
    }
  return model;
}

describe('FlagsReadModel.scan, the flag list read one at a time', () => {
  it('pages of query() are scan() cut at the limit, and following next reads every match once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 25 }),
        fc.record({
          rule: fc.option(fc.constantFrom(...rules), { nil: undefined }),
          status: fc.option(fc.constantFrom('open' as const, 'cleared' as const), { nil: undefined }),
          consignmentId: fc.option(fc.constantFrom('CSG-0', 'CSG-1', 'CSG-9'), { nil: undefined }),
        }),
        fc.func(fc.boolean()),
        (count, limit, filter, cleared) => {
          const model = modelOf(count, (n) => cleared(n));
          const all = [...model.scan(filter)].map((r) => r.flag.flagId);
          const paged: string[] = [];
          let after: string | undefined;
          for (let pages = 0; pages <= count + 1; pages++) {
            const q: FlagQuery = { ...filter, limit, after };
            const page = model.query(q);
            expect(page.items.map((r) => r.flag.flagId)).toEqual(
              [...model.scan(q)].slice(0, limit).map((r) => r.flag.flagId),
            );
            paged.push(...page.items.map((r) => r.flag.flagId));
            if (page.next === null) break;
            expect(page.items).toHaveLength(limit);
            after = page.next;
          }
          expect(paged).toEqual(all);
        },
      ),
      { seed, numRuns: 200 },
    );
  });

  it('a scan suspended between two flags goes on with the flags raised meanwhile, none twice', () => {
    const model = modelOf(5, () => false);
    const scan = model.scan({});
    const seen = [scan.next().value?.flag.flagId, scan.next().value?.flag.flagId];
    model.apply(stored(flagRaisedEvent(flagOf(5)), EventTypes.FlagRaised));
    model.apply(stored(flagRaisedEvent(flagOf(1)), EventTypes.FlagRaised)); // a repeat: ignored
    for (const r of scan) seen.push(r.flag.flagId);
    expect(seen).toEqual(['F0', 'F1', 'F2', 'F3', 'F4', 'F5']);
  });

  it('an unknown cursor throws at the call, before any flag is read', () => {
    const model = modelOf(3, () => false);
    expect(() => model.scan({ after: 'nope' })).toThrow(UnknownCursorError);
  });
});

describe('FlagsReadModel, a flag raised again after its clear (reopened)', () => {
  const clear = (f: Flag) =>
    stored(flagClearedEvent(clearedOf(f, '2026-02-01T00:00:00.000Z', 'cleared')), EventTypes.FlagCleared);
  const raise = (f: Flag) => stored(flagRaisedEvent(f), EventTypes.FlagRaised);

  it('opens it again as a record of its own; a repeat changes nothing; a restore gives the same records', () => {
    const model = new FlagsReadModel();
    const first = flagOf(1);
    const again = { ...first, reopened: 1 };
    model.apply(raise(first));
    model.apply(clear(first));
    expect(model.openFlagsOf('CSG-1')).toEqual([]);
    expect(model.apply(raise(first))).toBeUndefined(); // the first raise again: a repeat
    expect(model.apply(raise(again))).toBe(1);
    expect(model.openFlagsOf('CSG-1').map((f) => f.reopened)).toEqual([1]);
    expect(model.apply(clear(first))).toBeUndefined(); // the first clear again: leaves the reopening open
    expect(model.openFlagsOf('CSG-1')).toHaveLength(1);
    model.apply(clear(again));
    expect(model.openFlagsOf('CSG-1')).toEqual([]);
    model.apply(raise({ ...first, reopened: 2 }));
    const statuses = (m: FlagsReadModel) =>
      [...m.scan({})].map((r) => `${r.flag.flagId}:${r.flag.reopened ?? 0}:${r.status}`);
    expect(statuses(model)).toEqual(['F1:0:cleared', 'F1:1:cleared', 'F1:2:open']);
    const restored = new FlagsReadModel();
    restored.restore(JSON.parse(JSON.stringify(model.snapshot())));
    expect(statuses(restored)).toEqual(statuses(model));
    expect(restored.openFlagsOf('CSG-1').map((f) => f.reopened)).toEqual([2]);
  });
});
