import type { AidEvent, Flag } from '@aidwatch/domain';
import { fingerprintOf } from '../flag-identity';
import { DiversionDetector, FANOUT_PER_EVENT, type DiversionSnapshot } from './diversion-detector';
import { factTimeOf } from './consignment-facts';
import { defaultDiversionConfig } from './diversion-config';
import { DiversionState } from './diversion-state';
import { ExemptionLedger } from './exemption-ledger';
import { programmeRegistrations } from '../testing';
import {
  consignmentDeparted,
  consignmentRegistered,
  exemptionGranted,
  feed,
  shuffled,
  timeOf,
} from './testing/diversion-harness';
import { storyEvents, storyOpenFlags } from './testing/diversion-story.fixture';

const lastEventTime = Math.max(...storyEvents.map(factTimeOf));
const idsOf = (flags: Flag[]) => flags.map((f) => f.flagId).sort();
const expectedFingerprints = storyOpenFlags
  .map(([rule, consignmentId, key]) => fingerprintOf(rule, { kind: 'consignment', id: consignmentId }, key))
  .sort();

function run(events = storyEvents): DiversionDetector {
  const detector = new DiversionDetector();
  feed(detector, events);
  detector.advanceWatermark(lastEventTime);
  return detector;
}

describe('DiversionDetector', () => {
  const story = run();

  it('leaves exactly the expected flags open after the whole story', () => {
    const open = story.openFlags();
    const describe = (f: Flag) => `${f.rule} ${f.subject.id} ${f.severity}`;
    expect(open.map((f) => f.fingerprint).sort()).toEqual(expectedFingerprints);
    expect(open.map(describe).sort()).toEqual(
      [
        'quantity-shrinkage C-WFP-2 high',
        'quantity-shrinkage C-WFP-2 medium',
        'monitor-finding C-WFP-2 medium',
        'over-authorisation C-WFP-2 high',
        'access-denied C-WFP-3 critical',
        'verification-overdue C-WFP-3 medium',
        'undeclared-location C-UNI-1 high',
        'duplicate-document C-UNI-1 high',
        'over-authorisation C-UNI-2 high',
        'item-not-exempt C-UNI-2 high',
        'broken-custody C-UNI-2 high',
        'duplicate-document C-UNI-2 high',
        'outside-validity C-FAO-1 high',
        'duplicate-document C-FAO-1 high',
        'outside-validity C-FAO-2 critical',
        'broken-custody C-FAO-2 high',
        'monitor-finding C-FAO-2 critical',
        'duplicate-document C-HELD high',
      ].sort(),
    );
    expect(story.openFlags('C-WFP-1')).toEqual([]);
  });

  it('explains the shrinkage between handover and delivery with numbers, units and names', () => {
    const shrinkage = story
      .openFlags('C-WFP-2')
      .find((f) => f.rule === 'quantity-shrinkage' && f.severity === 'high');
    expect(shrinkage?.explanation).toBe(
      'Delivered 8,400 cartons of RUTF to Hamhung Provincial Paediatric Hospital (KP-SHG-HAMHUNG-PH) but 9,600 cartons ' +
        'were handed over from WFP Nampo warehouse to South Hamgyong Provincial Public Health Department: 12.5 % lost ' +
        '(1,200 cartons), tolerance 2 %.',
    );
    expect(shrinkage?.evidence).toEqual(['C-WFP-2-custody-1', 'C-WFP-2-delivered-DLV-W2-1']);
    expect(shrinkage?.raisedAt).toBe('2024-04-03T03:00:00.000Z');
  });

  it.each([1, 2, 3, 4, 5, 42])(
    'reaches the same open flags when the events arrive shuffled (seed %i)',
    (seed) => {
      const detector = run(shuffled(storyEvents, seed));
      expect(idsOf(detector.openFlags())).toEqual(idsOf(story.openFlags()));
      // Facts and deadlines of every subject; open flags are compared by id above (their times may differ), and
      // which flags were cleared on the way depends on the order (`clearedFlags`).
      const factsAndDeadlines = (d: DiversionDetector) =>
        Object.entries(d.snapshot().entries).map(([key, value]) => {
          const {
            openFlags: _flags,
            judgedAt: _at,
            clearedFlags: _cleared,
            ...rest
          } = value as { openFlags?: unknown; judgedAt?: unknown; clearedFlags?: unknown };
          return [key, rest];
        });
      expect(factsAndDeadlines(detector)).toEqual(factsAndDeadlines(story));
    },
  );

  it('changes nothing when the same events are delivered again', () => {
    const detector = run();
    const again = feed(detector, storyEvents, lastEventTime);
    expect(again).toEqual({ raised: [], cleared: [] });
  });

  it('behaves identically after a snapshot is restored from JSON', () => {
    const half = Math.floor(storyEvents.length / 2);
    const [first, second] = [storyEvents.slice(0, half), storyEvents.slice(half)];
    const live = new DiversionDetector();
    feed(live, first);
    const watermark = Math.max(...first.map(factTimeOf));
    const restored = DiversionDetector.restore(
      JSON.parse(JSON.stringify(live.snapshot())) as DiversionSnapshot,
    );

    expect(restored.snapshot()).toEqual(live.snapshot());
    const fromLive = feed(live, second, watermark);
    const fromRestored = feed(restored, second, watermark);
    expect(fromRestored).toEqual(fromLive);
    expect(fromRestored.raised.length).toBeGreaterThan(0);
    expect(restored.advanceWatermark(lastEventTime)).toEqual(live.advanceWatermark(lastEventTime));
    expect(restored.snapshot()).toEqual(live.snapshot());
  });

  it('refuses something that is not its snapshot', () => {
    expect(() => DiversionDetector.restore({ watermark: 1 })).toThrow('not a diversion detector snapshot');
  });

  it('knows which consignments are on board a vessel between loading and discharge', () => {
    expect(story.consignmentsOnBoard('445123000', timeOf('2024-03-06T00:00:00Z'))).toEqual(['C-WFP-1']);
    expect(story.consignmentsOnBoard('445123000', timeOf('2024-03-08T10:00:00Z'))).toEqual([]);
    expect(story.consignmentsOnBoard('445123000', timeOf('2024-03-27T00:00:00Z'))).toEqual(['C-WFP-2']);
    expect(story.consignmentsOnBoard('445123000', timeOf('2024-04-07T00:00:00Z'))).toEqual(['C-WFP-3']);
    expect(story.consignmentsOnBoard('445123000', timeOf('2024-05-04T00:00:00Z'))).toEqual(['C-HELD']);
    expect(story.consignmentsOnBoard('273456780', timeOf('2024-04-06T00:00:00Z'))).toEqual(['C-UNI-1']);
    expect(story.consignmentsOnBoard('273456780', timeOf('2024-04-05T10:59:59Z'))).toEqual([]);
    expect(story.consignmentsOnBoard('999999999', timeOf('2024-04-06T00:00:00Z'))).toEqual([]);
  });

  it('takes the registered vessel from departure when no load was reported', () => {
    const detector = new DiversionDetector();
    feed(detector, [consignmentRegistered(), consignmentDeparted()]);
    expect(detector.consignmentsOnBoard('445123000', timeOf('2024-03-06T00:00:00Z'))).toEqual([
      'CSG-2024-0117',
    ]);
    expect(detector.consignmentsOnBoard('445123000', timeOf('2024-03-05T00:00:00Z'))).toEqual([]);
  });

  it('serves a read model of a consignment: status, quantities per step, open flags', () => {
    const view = story.consignmentView('C-WFP-2');
    expect(view).toMatchObject({
      consignmentId: 'C-WFP-2',
      exemptionId: '1718-EX-2024-031',
      held: false,
      status: 'verified',
      vessel: { mmsi: '445123000', name: 'CHON MA SAN' },
      billOfLading: 'DLCNAM240320',
      riskLevel: 'high',
      items: [
        {
          itemCode: 'RUTF',
          unit: 'carton',
          exempted: true,
          registered: 9600,
          loaded: 9600,
          discharged: 9600,
          custody: 9600,
          delivered: 8400,
          verified: 8000,
        },
      ],
    });
    expect(view?.openFlags.map((f) => f.rule).sort()).toEqual([
      'monitor-finding',
      'over-authorisation',
      'quantity-shrinkage',
      'quantity-shrinkage',
    ]);
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);

    expect(story.consignmentView('C-HELD')).toMatchObject({
      held: true,
      status: 'loaded',
      items: [{ itemCode: 'PUMP-IRR', exempted: null }],
    });
    expect(story.consignmentView('C-FAO-2')?.riskLevel).toBe('critical');
    expect(story.consignmentView('NOPE')).toBeUndefined();
  });

  it('changes nothing when the clocks move on before the next deadline (speed: see npm run bench)', () => {
    const detector = run();
    const pending = detector.pendingDeadlines();
    let changes = 0;
    for (let i = 1; i <= 10_000; i++) {
      const c = detector.advanceWatermark(lastEventTime + i);
      changes += c.raised.length + c.cleared.length;
    }
    expect(changes).toBe(0);
    expect(detector.pendingDeadlines()).toBe(pending);
  });

  it("works a programme's inputs out once, not again at each consignment registered under it (no walk over the exemption per event)", () => {
    const state = new DiversionState();
    const walks = jest.spyOn(state, 'membersOf');
    const detector = new DiversionDetector(defaultDiversionConfig, [], state);
    const grant = exemptionGranted();
    const registrations = Array.from({ length: 400 }, (_, i) => {
      const id = `CSG-FLOOD-${(i * 7919) % 400}`; // ids out of order: each lands inside the ledger
      return consignmentRegistered({
        id: `reg-${id}`,
        subject: id,
        source: i % 3 === 0 ? '/wfp/logistics/b' : '/wfp/logistics/a',
        data: { consignmentId: id, billOfLading: `BL-${id}` },
      });
    });
    feed(detector, [grant, ...registrations]);
    // The grant's impact lists the exemption's consignments once; the family's inputs are worked out once.
    expect(walks.mock.calls.length).toBeLessThanOrEqual(3);
    expect(detector.consignmentIds()).toHaveLength(400);
    expect(detector.clockOf('CSG-FLOOD-0')).toBe(detector.clockOf('CSG-FLOOD-399'));
  });

  it('a programme registered in descending time order: each registration costs about √n in the ledger, flags as in time order', () => {
    const grant = exemptionGranted(); // 12,000 RUTF authorised
    const registrations = programmeRegistrations('CSG-DESC', 1500, (i) => 10 + (i % 7));
    const overDrawn = (order: typeof registrations) => {
      const detector = new DiversionDetector();
      feed(detector, [grant, ...order]);
      return idsOf(detector.openFlags().filter((f) => f.rule === 'over-authorisation'));
    };
    const inTimeOrder = overDrawn(registrations);
    expect(inTimeOrder.length).toBeGreaterThan(500); // the line is crossed about a third of the way in
    const lookups = jest.spyOn(ExemptionLedger.prototype, 'before');
    try {
      // Each registration lands before all others: every later line's cumulative quantity moves.
      expect(overDrawn([...registrations].reverse())).toEqual(inTimeOrder);
      // Only lines near the limit are looked at: a few per registration, not every later line (~n²/2).
      expect(lookups.mock.calls.length).toBeLessThan(registrations.length * 10);
    } finally {
      lookups.mockRestore();
    }
    expect(overDrawn(shuffled(registrations, 5))).toEqual(inTimeOrder);
  });

  it('an exemption amendment judges a slice of its programme per event, the rest between events, with the flags of judging all at once', () => {
    const grant = exemptionGranted();
    const registrations = programmeRegistrations('CSG-AMEND', 600, () => 10);
    const amendment = exemptionGranted({
      id: 'grant-amended',
      time: '2024-04-01T00:00:00Z',
      data: {
        items: grant.data.items.map((item) =>
          item.itemCode === 'RUTF' ? { ...item, quantity: 3000 } : item,
        ),
      },
    });
    const atOnce = new DiversionDetector();
    for (const e of [grant, ...registrations, amendment]) {
      atOnce.handle(e);
      atOnce.settle();
    }
    const expected = idsOf(atOnce.openFlags().filter((f) => f.rule === 'over-authorisation'));
    expect(expected).toHaveLength(300);

    const state = new DiversionState();
    const detector = new DiversionDetector(defaultDiversionConfig, [], state);
    feed(detector, [grant, ...registrations]);
    const judged = jest.spyOn(state, 'context');
    detector.handle(amendment);
    expect(judged.mock.calls.length).toBeLessThanOrEqual(FANOUT_PER_EVENT * 2);
    expect(detector.unsettledCount()).toBeGreaterThan(400);
    detector.settle();
    expect(idsOf(detector.openFlags().filter((f) => f.rule === 'over-authorisation'))).toEqual(expected);
  });

  it('a corrected registration keeps its first place in line, whichever version arrives first', () => {
    const reg = (id: string, eventId: string, time: string, quantity: number) =>
      consignmentRegistered({
        id: eventId,
        subject: id,
        time,
        data: {
          consignmentId: id,
          billOfLading: `BL-${id}`,
          items: [{ itemCode: 'RUTF', quantity, unit: 'carton' }],
        },
      });
    const first = reg('C0', 'reg-C0', '2024-03-20T00:00:00Z', 9000);
    const later = reg('C1', 'reg-C1', '2024-03-20T01:00:00Z', 5000);
    const correction = reg('C0', 'reg-C0-corrected', '2024-03-20T03:00:00Z', 9001);
    const overDrawn = (events: AidEvent[]) => {
      const detector = new DiversionDetector();
      feed(detector, [exemptionGranted(), ...events]);
      return detector
        .openFlags()
        .filter((f) => f.rule === 'over-authorisation')
        .map((f) => f.subject.id);
    };
    // C0 stays first: C1 crosses the 12,000 authorised, not the corrected C0.
    expect(overDrawn([first, later, correction])).toEqual(['C1']);
    expect(overDrawn([correction, later, first])).toEqual(['C1']);
    expect(overDrawn([later, correction, first])).toEqual(['C1']);
  });

  it('a bill of lading reused by hundreds of consignments: bounded flags, each use re-judging only its own, in any order', () => {
    const grant = exemptionGranted();
    const registrations = Array.from({ length: 300 }, (_, i) => {
      const id = `CSG-BL-${String(i).padStart(3, '0')}`;
      return consignmentRegistered({
        id: `reg-${id}`,
        subject: id,
        time: new Date(Date.UTC(2024, 2, 1, 0, i)).toISOString(),
        data: { consignmentId: id, billOfLading: 'TBD' },
      });
    });
    const flagsOf = (order: typeof registrations) => {
      const detector = new DiversionDetector();
      const raised = feed(detector, [grant, ...order]).raised.filter((f) => f.rule === 'duplicate-document');
      const open = detector.openFlags().filter((f) => f.rule === 'duplicate-document');
      return { raised, open };
    };
    const inOrder = flagsOf(registrations);
    // One flag per consignment, each citing at most 10 uses; a use re-raises only the flags of the few
    // consignments citing near it.
    expect(inOrder.open).toHaveLength(300);
    for (const f of inOrder.open) expect((f.observed.uses as unknown[]).length).toBeLessThanOrEqual(10);
    expect(inOrder.raised.length).toBeLessThan(300 * 30);
    const late = inOrder.open.find((f) => f.subject.id === 'CSG-BL-299')!;
    expect(late.observed.moreUses).toBe(true);
    expect(late.explanation).toMatch(/more cite it too/);
    // Any arrival order ends with the same open flags; dated in descending order (each use lands first), each
    // use still re-raises a bounded number of flags.
    for (const seed of [3, 11])
      expect(idsOf(flagsOf(shuffled(registrations, seed)).open)).toEqual(idsOf(inOrder.open));
    const descending = flagsOf([...registrations].reverse());
    expect(idsOf(descending.open)).toEqual(idsOf(inOrder.open));
    expect(descending.raised.length).toBeLessThan(300 * 30);
  });
});
