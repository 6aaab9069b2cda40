import { EventTypes, OwnershipEventTypes, type Flag } from '@aidwatch/domain';
import fc from 'fast-check';
import { AlertBook, SUPERSEDED_REASON, type BookEvent } from './alert-book';
import { decide, type AlertCommand } from './alert-commands';
import { SilenceEventTypes } from './index';
import { cleared, fact, flag, lifecycle, minute, raised, silenceCreated } from './testing/alert-fixtures';

/**
 * A checkpoint in parts is what the store keeps: per key the newest value written, none once written as
 * undefined. Taken at random points of a random history and restored, the book equals the one that folded
 * everything, and goes on to classify what follows alike.
 */
type Step =
  | { kind: 'raise'; problem: number; evidence: number; partner: boolean; consignment: number }
  | { kind: 'clear'; problem: number; superseded: boolean }
  | { kind: 'act'; problem: number; action: 0 | 1 | 2 | 3; organisation: number }
  | { kind: 'silence'; consignment: number; expire: boolean }
  | { kind: 'transfer'; toOrg: number }
  | { kind: 'register'; consignment: number; exemption: number }
  | { kind: 'checkpoint'; whole: boolean };

const ORGS = ['A', 'B', 'C'];
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('raise' as const),
    problem: fc.nat({ max: 5 }),
    evidence: fc.nat({ max: 3 }),
    partner: fc.boolean(),
    consignment: fc.nat({ max: 2 }),
  }),
  fc.record({ kind: fc.constant('clear' as const), problem: fc.nat({ max: 5 }), superseded: fc.boolean() }),
  fc.record({
    kind: fc.constant('act' as const),
    problem: fc.nat({ max: 5 }),
    action: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
    organisation: fc.nat({ max: 3 }),
  }),
  fc.record({ kind: fc.constant('silence' as const), consignment: fc.nat({ max: 2 }), expire: fc.boolean() }),
  fc.record({ kind: fc.constant('transfer' as const), toOrg: fc.nat({ max: 2 }) }),
  fc.record({
    kind: fc.constant('register' as const),
    consignment: fc.nat({ max: 4 }),
    exemption: fc.nat({ max: 1 }),
  }),
  // Whole: as the runner writes after a failed write or a lease taken over (every key, earlier rows dropped).
  fc.record({ kind: fc.constant('checkpoint' as const), whole: fc.boolean() }),
);

/** Turns steps into events (flags of a problem numbered, encounters of two vessels that may group). */
type Item = BookEvent | 'checkpoint' | 'whole' | ((book: AlertBook) => BookEvent | undefined);

function eventsOf(steps: Step[]): Item[] {
  const out: Item[] = [
    fact(EventTypes.ExemptionGranted, { exemptionId: 'X-0', implementingOrg: 'A', sites: [], items: [] }),
    fact(EventTypes.ExemptionGranted, { exemptionId: 'X-1', implementingOrg: 'B', sites: [], items: [] }),
  ];
  const open = new Map<number, Flag>();
  let n = 0;
  let silences = 0;
  for (const s of steps) {
    n++;
    switch (s.kind) {
      case 'checkpoint':
        out.push(s.whole ? 'whole' : 'checkpoint');
        break;
      case 'raise': {
        const encounter = s.problem >= 4;
        const vessel = s.problem === 4 ? '111111111' : '222222222';
        const partner = s.problem === 4 ? '222222222' : '111111111';
        const f = flag({
          fingerprint: `p${s.problem}`,
          flagId: `f${n}`,
          evidence: encounter
            ? ['m1', `m${2 + s.evidence}`]
            : [`e${s.problem}`, `e${n}`].slice(0, 1 + (s.evidence % 2)),
          consignmentIds: [`C-${s.consignment}`],
          ...(encounter && {
            rule: 'encounter',
            subject: { kind: 'vessel', id: vessel },
            observed: s.partner ? { partnerMmsi: partner } : {},
          }),
          raisedAt: minute(n % 60),
        });
        open.set(s.problem, f);
        out.push(raised(f, n % 60));
        break;
      }
      case 'clear': {
        const f = open.get(s.problem);
        if (f) out.push(cleared(f, s.superseded ? SUPERSEDED_REASON : 'condition no longer holds', n % 60));
        break;
      }
      case 'act': {
        const f = open.get(s.problem);
        if (!f) break;
        const at = minute(n % 60);
        const command: AlertCommand = [
          { kind: 'acknowledge' as const, by: 'key:x', at },
          { kind: 'resolve' as const, by: 'key:x', at, note: 'why' },
          { kind: 'assign' as const, by: 'key:x', at, assignee: 'someone' },
          { kind: 'comment' as const, by: 'key:x', at, note: 'why' },
        ][s.action];
        const organisation = s.organisation < ORGS.length ? ORGS[s.organisation] : undefined;
        // Decided on the book as it stands when the action comes, as the API does.
        out.push((book: AlertBook) => {
          const alert = book.get(f.fingerprint);
          if (!alert) return undefined;
          try {
            const target = organisation === undefined ? alert : book.viewOf(alert, organisation);
            const { type, data } = decide(target, command);
            return lifecycle(type, organisation === undefined ? data : { ...data, organisation }, n % 60);
          } catch {
            return undefined; // not allowed in the alert's status: the API refuses it
          }
        });
        break;
      }
      case 'silence': {
        const silenceId = `s${++silences}`;
        out.push(
          silenceCreated(
            {
              silenceId,
              matchers: [{ name: 'consignmentId', value: `C-${s.consignment}` }],
              startsAt: minute(0),
              endsAt: minute(59),
              createdBy: 'dash',
              comment: 'quiet',
              at: minute(n % 60),
            },
            n % 60,
          ),
        );
        if (s.expire)
          out.push(
            fact(
              SilenceEventTypes.Expired,
              { silenceId, by: 'dash', at: minute(n % 60) },
              `expire-${silenceId}`,
            ),
          );
        break;
      }
      case 'transfer':
        out.push(
          fact(OwnershipEventTypes.Transferred, {
            kind: 'exemption',
            exemptionId: 'X-0',
            fromOrg: 'A',
            toOrg: ORGS[s.toOrg],
            by: 'key:op',
            at: minute(n % 60),
            reason: 'handover',
          }),
        );
        break;
      case 'register':
        out.push(
          fact(EventTypes.ConsignmentRegistered, {
            consignmentId: `C-${s.consignment}`,
            exemptionId: `X-${s.exemption}`,
            vessel: { mmsi: s.consignment % 2 === 0 ? '111111111' : '222222222' },
          }),
        );
        break;
    }
  }
  return out;
}

const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

describe('alert book checkpoints in parts', () => {
  it('restored from its parts at any point, the book equals the one that folded everything and goes on alike', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.array(step, { maxLength: 15 }), (history, after) => {
        const book = new AlertBook();
        const saved: Record<string, unknown> = {};
        let head = book.head();
        const checkpoint = (all: boolean) => {
          if (all) book.markAllChanged();
          const keys = book.takeChangedKeys();
          // Written whole, it replaces every row before it: a key it leaves out is gone.
          if (all) for (const key of Object.keys(saved)) if (!keys.includes(key)) delete saved[key];
          for (const key of keys) {
            const value = json(book.entry(key) ?? null);
            if (value === null) delete saved[key];
            else saved[key] = value;
          }
          head = json(book.head()) as typeof head;
        };
        let first = true;
        for (const item of eventsOf(history)) {
          if (item === 'checkpoint' || item === 'whole') {
            checkpoint(first || item === 'whole');
            first = false;
            continue;
          }
          const e = typeof item === 'function' ? item(book) : item;
          if (e) book.apply(e);
        }
        checkpoint(first);
        const restored = AlertBook.restoreParts(head, json(saved) as Record<string, unknown>);
        expect(json(restored.snapshot())).toEqual(json(book.snapshot()));
        for (const item of eventsOf(after)) {
          if (item === 'checkpoint' || item === 'whole') continue;
          const e = typeof item === 'function' ? item(book) : item;
          if (e) expect(json(restored.apply(e) ?? null)).toEqual(json(book.apply(e) ?? null));
        }
        expect(json(restored.snapshot())).toEqual(json(book.snapshot()));
        // Each organisation's alerts from the index are those naming it, in book order, however labels moved.
        for (const b of [book, restored, AlertBook.restore(json(book.snapshot()))])
          for (const org of [...ORGS, 'nobody']) {
            const naming = [...b.all()].filter((a) => a.labels.organisation.includes(org));
            expect(b.visibleTo(org).map((a) => a.alertId)).toEqual(naming.map((a) => a.alertId));
          }
        expect(book.visibleTo(undefined).map((a) => a.alertId)).toEqual(
          [...book.all()].map((a) => a.alertId),
        );
      }),
      { numRuns: 300 },
    );
  });
});
