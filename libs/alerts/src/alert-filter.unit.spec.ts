import fc from 'fast-check';
import { EventTypes, Severities, SupersededEventTypes, type Flag, type Severity } from '@aidwatch/domain';
import { AlertBook } from './alert-book';
import { decide } from './alert-commands';
import { filterErrors, filterMatches, inBoundingBox, type AlertFilter } from './alert-filter';
import { cleared, flag, lifecycle, minute, raised } from './testing/alert-fixtures';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261130;

type Step = { kind: 'raise' | 'clear' | 'ack' | 'comment'; problem: number };
const problems = fc.array(
  fc.record({
    rule: fc.constantFrom('access-denied', 'ais-gap', 'quantity-shrinkage' as const),
    severity: fc.constantFrom(...Severities),
    consignment: fc.constantFrom('C-1', 'C-2', 'C-3'),
    vessel: fc.option(fc.constantFrom('111111111', '222222222'), { nil: undefined }),
  }),
  { minLength: 1, maxLength: 5 },
);
const filters = fc.record(
  {
    rule: fc.subarray(['access-denied', 'ais-gap', 'quantity-shrinkage'], { minLength: 1 }),
    severity: fc.subarray([...Severities] as Severity[], { minLength: 1 }),
    consignmentId: fc.subarray(['C-1', 'C-2', 'C-3'], { minLength: 1 }),
    vessel: fc.subarray(['111111111', '222222222'], { minLength: 1 }),
    status: fc.subarray(['firing', 'acknowledged', 'resolved'] as const, { minLength: 1 }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<AlertFilter>;

describe('stream and webhook filters', () => {
  it('judge every event type (raised, cleared, lifecycle) by its alert: nothing of another alert slips through', () => {
    fc.assert(
      fc.property(
        problems,
        fc.array(
          fc.record({
            kind: fc.constantFrom('raise', 'clear', 'ack', 'comment' as const),
            problem: fc.nat(4),
          }),
          { maxLength: 30 },
        ),
        filters,
        (defs, steps: Step[], filter) => {
          const book = new AlertBook();
          const model = new Map<string, { status: string; flags: Flag[] }>();
          let n = 0;
          for (const step of steps) {
            const i = step.problem % defs.length;
            const d = defs[i];
            const fingerprint = `p${i}`;
            const m = model.get(fingerprint);
            let event;
            if (step.kind === 'raise') {
              const f = flag({
                fingerprint,
                flagId: `f${n++}`,
                rule: d.rule,
                severity: d.severity,
                subject: d.vessel
                  ? { kind: 'vessel', id: d.vessel }
                  : { kind: 'consignment', id: d.consignment },
                consignmentIds: [d.consignment],
              });
              event = raised(f);
              model.set(fingerprint, { status: 'firing', flags: [...(m?.flags ?? []), f] });
            } else if (!m) continue;
            else if (step.kind === 'clear') {
              const f = m.flags.shift();
              if (!f) continue;
              event = cleared(f);
              if (m.flags.length === 0) m.status = 'resolved';
            } else {
              const alert = book.get(fingerprint)!;
              if (step.kind === 'ack' && alert.status !== 'firing') continue;
              const { type, data } = decide(alert, {
                kind: step.kind === 'ack' ? 'acknowledge' : 'comment',
                by: 'u',
                at: minute(1),
                note: 'x',
              });
              event = lifecycle(type, data);
              if (step.kind === 'ack') m.status = 'acknowledged';
            }
            const facts = book.apply(event);
            if (!facts) continue;
            const expected =
              (!filter.rule || filter.rule.includes(d.rule)) &&
              (!filter.severity || filter.severity.includes(d.severity)) &&
              (!filter.consignmentId || filter.consignmentId.includes(d.consignment)) &&
              (!filter.vessel || (d.vessel !== undefined && filter.vessel.includes(d.vessel))) &&
              (!filter.status || filter.status.includes(model.get(fingerprint)!.status as never));
            expect({ type: event.type, passes: filterMatches(filter, facts) }).toEqual({
              type: event.type,
              passes: expected,
            });
          }
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  it('bounding boxes are west,south,east,north and may cross the antimeridian', () => {
    expect(inBoundingBox({ lat: 39, lon: 125 }, [124, 37, 131, 43])).toBe(true);
    expect(inBoundingBox({ lat: 39, lon: 121 }, [124, 37, 131, 43])).toBe(false);
    expect(inBoundingBox({ lat: 50, lon: -179.5 }, [179, 40, -179, 60])).toBe(true);
    expect(filterErrors({ bbox: [124, 43, 131, 37] })).toEqual([
      { field: 'bbox', message: expect.stringMatching(/south <= north/) },
    ]);
  });

  it('an event whose location is unknown never passes a bbox filter', () => {
    const labels = {
      rule: [],
      severity: [],
      consignmentId: [],
      vessel: [],
      exemptionId: [],
      organisation: [],
      siteId: [],
    };
    expect(filterMatches({ bbox: [-180, -90, 180, 90] }, { type: 't', labels })).toBe(false);
    expect(filterMatches({}, { type: 't', labels })).toBe(true);
  });

  it('a types filter naming a superseded version selects the version that replaced it, not the reverse', () => {
    const labels = {
      rule: [],
      severity: [],
      consignmentId: [],
      vessel: [],
      exemptionId: [],
      organisation: [],
      siteId: [],
    };
    const v1 = { types: [SupersededEventTypes.FlagRaisedV1] };
    expect(filterMatches(v1, { type: EventTypes.FlagRaised, labels })).toBe(true);
    expect(filterMatches(v1, { type: EventTypes.FlagCleared, labels })).toBe(false);
    expect(filterMatches({ types: [EventTypes.FlagRaised] }, { type: EventTypes.FlagRaised, labels })).toBe(
      true,
    );
    expect(filterMatches({ types: [EventTypes.FlagCleared] }, { type: EventTypes.FlagRaised, labels })).toBe(
      false,
    );
  });
});
