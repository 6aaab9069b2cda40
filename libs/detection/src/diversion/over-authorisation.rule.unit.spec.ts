import { DiversionDetector } from './diversion-detector';
import { overAuthorisation } from './over-authorisation.rule';
import {
  consignmentLoaded,
  consignmentRegistered,
  exemptionGranted,
  feed,
  judge,
  timeOf,
  handleAt,
} from './testing/diversion-harness';

// The sample exemption authorises 12,000 cartons of RUTF.
const registered = (n: number, cartons: number, time: string) =>
  consignmentRegistered({
    id: `registered-C${n}`,
    subject: `C${n}`,
    time,
    data: {
      consignmentId: `C${n}`,
      billOfLading: `BL-${n}`,
      items: [{ itemCode: 'RUTF', quantity: cartons, unit: 'carton' }],
    },
  });
const loaded = (n: number, cartons: number) =>
  consignmentLoaded({
    id: `loaded-C${n}`,
    subject: `C${n}`,
    data: { consignmentId: `C${n}`, items: [{ itemCode: 'RUTF', quantity: cartons }] },
  });
const grant = exemptionGranted();
const overOf = (flags: Array<{ rule: string; subject: { id: string } }>) =>
  flags.filter((f) => f.rule === 'over-authorisation').map((f) => f.subject.id);

describe('over-authorisation', () => {
  it('flags the consignment whose quantity takes the exemption past the authorised total', () => {
    const events = [
      grant,
      registered(1, 4000, '2024-03-01T00:00:00Z'),
      registered(2, 9000, '2024-03-20T00:00:00Z'),
    ];

    expect(judge(overAuthorisation, events, { consignmentId: 'C1' }).drafts).toEqual([]);
    const { drafts } = judge(overAuthorisation, events, { consignmentId: 'C2' });
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      rule: 'over-authorisation',
      key: 'item:RUTF',
      severity: 'high',
      evidence: [grant.id, 'registered-C2'],
      observed: {
        itemCode: 'RUTF',
        basis: 'registered',
        quantity: 9000,
        earlierConsignments: 4000,
        cumulative: 13000,
      },
      threshold: { authorised: 12000, tolerancePct: 0 },
    });
    expect(drafts[0].explanation).toBe(
      'Consignment C2 (9,000 cartons of RUTF registered) brings exemption 1718-EX-2024-031 to 13,000 cartons of RUTF ' +
        'with 4,000 cartons on consignments registered earlier, above the authorised 12,000 cartons.',
    );
  });

  it('does not flag a cumulative quantity of exactly the authorised total', () => {
    const events = [
      grant,
      registered(1, 4000, '2024-03-01T00:00:00Z'),
      registered(2, 8000, '2024-03-20T00:00:00Z'),
    ];
    expect(judge(overAuthorisation, events, { consignmentId: 'C2' }).drafts).toEqual([]);
  });

  it('counts what was loaded once a consignment has loaded', () => {
    const events = [
      grant,
      registered(1, 4000, '2024-03-01T00:00:00Z'),
      registered(2, 9000, '2024-03-20T00:00:00Z'),
      loaded(2, 7900),
    ];
    expect(judge(overAuthorisation, events, { consignmentId: 'C2' }).drafts).toEqual([]);
  });

  it('flags every later consignment drawing on an exhausted item', () => {
    const events = [
      grant,
      registered(1, 12000, '2024-03-01T00:00:00Z'),
      registered(2, 100, '2024-03-20T00:00:00Z'),
      registered(3, 50, '2024-03-21T00:00:00Z'),
    ];
    expect(judge(overAuthorisation, events, { consignmentId: 'C1' }).drafts).toEqual([]);
    expect(judge(overAuthorisation, events, { consignmentId: 'C3' }).drafts[0].observed).toMatchObject({
      cumulative: 12150,
    });
  });

  it('moves the flag when an earlier registration arrives late, and clears it when a correction brings the total back', () => {
    const detector = new DiversionDetector();
    const first = feed(detector, [
      grant,
      registered(1, 4000, '2024-03-01T00:00:00Z'),
      registered(2, 7000, '2024-03-20T00:00:00Z'),
    ]);
    expect(overOf(first.raised)).toEqual([]);

    const early = registered(0, 2000, '2024-02-20T00:00:00Z');
    expect(overOf(handleAt(detector, early, timeOf('2024-03-20T00:00:00Z')).raised)).toEqual(['C2']);

    const corrected = consignmentRegistered({
      id: 'registered-C0-corrected',
      subject: 'C0',
      time: '2024-03-21T00:00:00Z',
      data: {
        consignmentId: 'C0',
        billOfLading: 'BL-0',
        items: [{ itemCode: 'RUTF', quantity: 1000, unit: 'carton' }],
      },
    });
    const changes = handleAt(detector, corrected, timeOf('2024-03-21T00:00:00Z'));
    expect(overOf(changes.cleared)).toEqual(['C2']);
  });
});
