import fc from 'fast-check';
import type { AidEvent, Flag } from '@aidwatch/domain';
import { defaultDiversionConfig } from './diversion-config';
import { DiversionDetector, type DiversionSnapshot } from './diversion-detector';
import {
  accessDenied,
  consignmentDischarged,
  consignmentLoaded,
  consignmentRegistered,
  custodyTransferred,
  deliveryRecorded,
  exemptionGranted,
  feed,
  verificationReported,
} from './testing/diversion-harness';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20260521;
const C = 'C-LATE';
const OTHER = 'C-OTHER';
const describeFlag = (f: Flag) => `${f.rule} ${f.subject.id} ${f.flagId}`;
const run = (events: readonly AidEvent[], detector = new DiversionDetector()) => {
  feed(detector, events);
  return detector;
};

/*
 * One exemption, three feeds: logistics registers, the field reports deliveries, the monitors verify. C-LATE
 * is delivered on 11 March (its verification due by 10 April, judged a day later); the monitors' feed has
 * reached 10 April through the other consignment of the exemption, the field feed 12 April.
 */
const registration = consignmentRegistered({
  id: 'reg-late',
  subject: C,
  data: { consignmentId: C, billOfLading: 'BL-LATE' },
});
const delivery = deliveryRecorded({
  id: 'dlv-late',
  subject: C,
  data: { consignmentId: C, deliveryId: 'DLV-LATE' },
});
const story: AidEvent[] = [
  exemptionGranted(),
  registration,
  delivery,
  consignmentRegistered({
    id: 'reg-other',
    subject: OTHER,
    time: '2024-04-11T00:00:00Z',
    data: { consignmentId: OTHER, billOfLading: 'BL-OTHER' },
  }),
  verificationReported({
    id: 'ver-other',
    subject: OTHER,
    time: '2024-04-10T00:00:00Z',
    data: { consignmentId: OTHER, verificationId: 'VER-OTHER', at: '2024-04-10T00:00:00Z' },
  }),
  deliveryRecorded({
    id: 'dlv-other',
    subject: OTHER,
    time: '2024-04-12T00:00:00Z',
    data: {
      consignmentId: OTHER,
      deliveryId: 'DLV-OTHER',
      documentHash: 'b'.repeat(64),
      at: '2024-04-12T00:00:00Z',
    },
  }),
];
const withoutRegistration = story.filter((e) => e !== registration);

describe('a consignment that was never registered', () => {
  it('is held: no judgement about time before its registration says which feeds it follows', () => {
    const detector = run(withoutRegistration);
    // The field feed alone is past the verification's due time; the monitors' feed of its programme is not.
    expect(detector.openFlags(C)).toEqual([]);
    expect(detector.entry(`consignment:${C}`)).toMatchObject({ judgedAt: null, deadline: null });
    expect(detector.consignmentView(C)).toMatchObject({
      status: 'unregistered',
      held: true,
      riskLevel: 'none',
    });
    expect(detector.unregisteredConsignments()).toBe(1);
  });

  it('when its registration arrives, its held events are judged as if they had come in order', () => {
    const inOrder = run(story);
    const late = run([...withoutRegistration, registration]);
    expect(late.openFlags(C).map(describeFlag)).toEqual(inOrder.openFlags(C).map(describeFlag));
    expect(late.openFlags(C).map((f) => f.rule)).toEqual(['broken-custody']);
    expect(late.consignmentView(C)).toEqual(inOrder.consignmentView(C));
    expect(late.unregisteredConsignments()).toBe(0);
  });

  it('is held across a snapshot: a restored detector judges the late registration as the live one', () => {
    const live = run(withoutRegistration);
    const restored = DiversionDetector.restore(
      JSON.parse(JSON.stringify(live.snapshot())) as DiversionSnapshot,
    );
    expect(restored.unregisteredConsignments()).toBe(1);
    expect(run([registration], restored).openFlags(C)).toEqual(run([registration], live).openFlags(C));
  });

  it('is still judged on what its events say alone: a monitor reporting suspected diversion, a denied visit', () => {
    const detector = run([
      consignmentLoaded({ data: { consignmentId: C } }),
      // 10 % less than loaded: a loss, but judged only on a clock, which the consignment does not have yet.
      consignmentDischarged({
        data: { consignmentId: C, items: [{ itemCode: 'RUTF', quantity: 3600 }] },
      }),
      verificationReported({ data: { consignmentId: C, finding: 'diversion_suspected' } }),
      accessDenied({ data: { consignmentId: C } }),
    ]);
    expect(
      detector
        .openFlags(C)
        .map((f) => f.rule)
        .sort(),
    ).toEqual(['access-denied', 'monitor-finding']);
  });
});

/*
 * One consignment's own events in any order, between the same events before (the grant) and after (the
 * other consignment of the exemption, reported by every feed, which carries the clock past every deadline).
 * No feed falls idle here (idleness depends on arrival order by design: docs/time-model.md, item 5), so the
 * final clock is the same in every order, and so must be the judgement: the same open flags and the same view.
 */
describe('a consignment whose events arrive in any order, its registration anywhere among them', () => {
  const own: AidEvent[] = [
    registration,
    consignmentLoaded({ id: 'ld', subject: C, data: { consignmentId: C } }),
    consignmentDischarged({
      id: 'dc',
      subject: C,
      data: { consignmentId: C, items: [{ itemCode: 'RUTF', quantity: 3600 }] },
    }),
    // Dated before the discharge: an impossible order.
    custodyTransferred({
      id: 'ct',
      subject: C,
      data: { consignmentId: C, items: [{ itemCode: 'RUTF', quantity: 3600 }], at: '2024-03-07T00:00:00Z' },
    }),
    delivery,
    deliveryRecorded({
      id: 'dlv-late-2',
      subject: C,
      data: {
        consignmentId: C,
        deliveryId: 'DLV-LATE-2',
        siteId: 'KP-SHW-HAEJU-NC',
        // Recorded in Pyongyang, far from either site of the exemption.
        lat: 39.0392,
        lon: 125.7625,
        documentHash: 'c'.repeat(64),
        at: '2024-03-12T00:00:00Z',
      },
    }),
    verificationReported({
      id: 'ver-late',
      subject: C,
      data: { consignmentId: C, finding: 'discrepancy', observed: [{ itemCode: 'RUTF', quantity: 900 }] },
    }),
    accessDenied({ id: 'den-late', subject: C, data: { consignmentId: C } }),
  ];
  const after: AidEvent[] = story.slice(3).map((e) => ({
    ...e,
    time: '2024-06-01T00:00:00Z',
    data: { ...e.data, ...('at' in e.data ? { at: '2024-06-01T00:00:00Z' } : {}) },
  })) as AidEvent[];
  const config = { ...defaultDiversionConfig, inputIdleDays: 365 };
  const final = (order: readonly AidEvent[], then: readonly AidEvent[] = after) => {
    const detector = run([exemptionGranted(), ...order, ...then], new DiversionDetector(config));
    // Explanations are left out: one written before the exemption was known names a site by its id only.
    const flags = detector
      .openFlags(C)
      .map(({ explanation: _text, ...flag }) => flag)
      .sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
    const { openFlags: _flags, ...view } = detector.consignmentView(C)!;
    return { flags, view };
  };
  const inOrder = final(own);

  it('in order, judges every rule it should (the reference the other orders are compared with)', () => {
    expect(inOrder.view).toMatchObject({ status: 'verified', held: false });
    expect([...new Set(inOrder.flags.map((f) => f.rule))].sort()).toEqual([
      'access-denied',
      'broken-custody',
      'monitor-finding',
      'quantity-shrinkage',
      'undeclared-location',
      'verification-overdue',
    ]);
  });

  const anyOrder = fc.shuffledSubarray(own, { minLength: own.length, maxLength: own.length });

  it('reaches the same open flags and view in every order, once every deadline has passed', () => {
    fc.assert(
      fc.property(anyOrder, (order) => {
        expect(final(order)).toEqual(inOrder);
      }),
      { seed, numRuns: 200 },
    );
  });

  it('and where its own feeds left the clock: nothing judged early on the clock of some of them', () => {
    const reference = final(own, []);
    expect(reference.flags.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(anyOrder, (order) => {
        expect(final(order, [])).toEqual(reference);
      }),
      { seed, numRuns: 200 },
    );
  });

  it('registered last, still the same', () => {
    expect(final([...own.slice(1), registration])).toEqual(inOrder);
  });
});
