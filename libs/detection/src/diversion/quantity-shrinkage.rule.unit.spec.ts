import type { AidEvent } from '@aidwatch/domain';
import { DiversionDetector } from './diversion-detector';
import { quantityShrinkage } from './quantity-shrinkage.rule';
import {
  consignmentDischarged,
  consignmentLoaded,
  consignmentRegistered,
  custodyTransferred,
  deliveryRecorded,
  exemptionGranted,
  feed,
  judge,
  portDeclared,
  SampleIds,
  SamplePorts,
  timeOf,
  verificationReported,
  handleAt,
} from './testing/diversion-harness';

const consignmentId = SampleIds.consignmentId;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const rutf = (quantity: number) => [{ itemCode: 'RUTF', quantity }];

const ports = [
  portDeclared(),
  portDeclared({ id: 'port-CNDLC', data: { ...SamplePorts.dalian, radiusKm: 8 } }),
];
const exemption = exemptionGranted();
const registered = consignmentRegistered({
  data: { items: [{ itemCode: 'RUTF', quantity: 4000, unit: 'carton' }] },
});
const loaded = consignmentLoaded({ data: { items: rutf(4000) } });
const discharged = (quantity: number) => consignmentDischarged({ data: { items: rutf(quantity) } });
const dischargedAt = timeOf(consignmentDischarged().data.at);

const voyage = (dischargedQuantity: number): AidEvent[] => [
  ...ports,
  exemption,
  registered,
  loaded,
  discharged(dischargedQuantity),
];
const settled = dischargedAt + 24 * HOUR;

describe('quantity-shrinkage', () => {
  it('flags a discharge short of the load beyond the 2 % tolerance, in the words of the exemption line', () => {
    const { drafts } = judge(quantityShrinkage, voyage(3900), { consignmentId, watermark: settled });

    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      rule: 'quantity-shrinkage',
      key: 'RUTF|discharged',
      severity: 'medium',
      evidence: [loaded.id, 'consignment-discharged-0117'],
      observed: { itemCode: 'RUTF', previousQuantity: 4000, quantity: 3900, lost: 100, lostPct: 2.5 },
      threshold: { tolerancePct: 2, toleranceAbs: 0 },
      raisedAt: new Date(dischargedAt).toISOString(),
    });
    expect(drafts[0].explanation).toBe(
      'Discharged 3,900 cartons of RUTF at Nampo but 4,000 cartons were loaded at Dalian: 2.5 % lost (100 cartons), tolerance 2 %.',
    );
  });

  it('does not flag a loss of exactly the tolerance, and flags one unit more', () => {
    expect(judge(quantityShrinkage, voyage(3920), { consignmentId, watermark: settled }).drafts).toEqual([]);
    expect(judge(quantityShrinkage, voyage(3919), { consignmentId, watermark: settled }).drafts).toHaveLength(
      1,
    );
  });

  it('grades the severity by the share lost: above 10 % high, above 25 % critical', () => {
    const severity = (q: number) =>
      judge(quantityShrinkage, voyage(q), { consignmentId, watermark: settled }).drafts[0]?.severity;
    expect(severity(3600)).toBe('medium'); // exactly 10 %
    expect(severity(3500)).toBe('high');
    expect(severity(3000)).toBe('high'); // exactly 25 %
    expect(severity(2900)).toBe('critical');
  });

  it('respects an absolute tolerance floor for small lines', () => {
    const config = { shrinkageToleranceAbs: 100 };
    expect(
      judge(quantityShrinkage, voyage(3900), { consignmentId, watermark: settled, config }).drafts,
    ).toEqual([]);
    expect(
      judge(quantityShrinkage, voyage(3899), { consignmentId, watermark: settled, config }).drafts[0]
        .explanation,
    ).toContain('tolerance 2 % (at least 100 cartons)');
  });

  it('waits the allowed lateness after the last discharge lot before judging, and says when to look again', () => {
    const early = judge(quantityShrinkage, voyage(3900), { consignmentId, watermark: settled - 1 });
    expect(early.drafts).toEqual([]);
    expect(early.nextDeadline).toBe(settled);

    const secondLot = consignmentDischarged({
      id: 'consignment-discharged-0117-b',
      data: { items: rutf(10), at: '2024-03-08T20:00:00Z' },
    });
    const lots = [...voyage(3900), secondLot];
    expect(
      judge(quantityShrinkage, lots, { consignmentId, watermark: settled + 10 * HOUR - 1 }).drafts,
    ).toEqual([]);
    const judged = judge(quantityShrinkage, lots, { consignmentId, watermark: settled + 10 * HOUR }).drafts;
    expect(judged.map((d) => [d.observed.quantity, d.evidence.length])).toEqual([[3910, 3]]);
  });

  it('compares the sum of deliveries with the discharge once the distribution window has passed', () => {
    const grantedInKg = exemptionGranted({
      data: { items: [{ itemCode: 'RUTF', description: 'RUTF', unit: 'kg', quantity: 20000 }] },
    });
    const events = [
      ...ports,
      grantedInKg,
      consignmentRegistered({ data: { items: [{ itemCode: 'RUTF', quantity: 9600, unit: 'kg' }] } }),
      consignmentLoaded({ data: { items: rutf(9600) } }),
      discharged(9600),
      deliveryRecorded({ data: { items: rutf(8400) } }),
    ];
    const deliveredAt = timeOf(deliveryRecorded().data.at);

    const pending = judge(quantityShrinkage, events, {
      consignmentId,
      watermark: deliveredAt + 30 * DAY - 1,
    });
    expect(pending.drafts).toEqual([]);
    expect(pending.nextDeadline).toBe(deliveredAt + 30 * DAY);

    const { drafts } = judge(quantityShrinkage, events, { consignmentId, watermark: deliveredAt + 30 * DAY });
    expect(drafts.map((d) => [d.key, d.severity])).toEqual([['RUTF|delivered', 'high']]);
    expect(drafts[0].explanation).toBe(
      'Delivered 8,400 kg of RUTF to Sariwon Provincial Paediatric Hospital (KP-SHW-SARIWON-PH) but 9,600 kg were ' +
        'discharged at Nampo: 12.5 % lost (1,200 kg), tolerance 2 %.',
    );

    const secondRound = deliveryRecorded({
      id: 'delivery-recorded-0117-2',
      data: { deliveryId: 'DLV-0117-2', items: rutf(1100), at: '2024-03-20T03:00:00Z' },
    });
    expect(
      judge(quantityShrinkage, [...events, secondRound], { consignmentId, watermark: '2024-06-01T00:00:00Z' })
        .drafts,
    ).toEqual([]);
  });

  it('judges each custody handover against the holder before it, and ignores items a handover does not carry', () => {
    const first = custodyTransferred({
      data: {
        items: [
          { itemCode: 'RUTF', quantity: 3990 },
          { itemCode: 'FBF-SC', quantity: 299.2 },
        ],
      },
    });
    const onlyRutf = custodyTransferred({
      id: 'custody-transferred-0117-2',
      data: {
        from: first.data.to,
        to: 'Sariwon County Warehouse',
        items: rutf(3500),
        at: '2024-03-10T07:00:00Z',
      },
    });
    const events = [
      ...ports,
      exemption,
      consignmentRegistered(),
      consignmentLoaded(),
      consignmentDischarged(),
      first,
      onlyRutf,
    ];

    const { drafts } = judge(quantityShrinkage, events, { consignmentId, watermark: '2024-03-12T00:00:00Z' });

    expect(drafts.map((d) => d.key)).toEqual([`RUTF|custody:${onlyRutf.id}`]);
    expect(drafts[0].explanation).toBe(
      'Handed over 3,500 cartons of RUTF from South Hwanghae Provincial Public Health Department to Sariwon County ' +
        'Warehouse but 3,990 cartons were handed over from WFP Nampo warehouse to South Hwanghae Provincial Public ' +
        'Health Department: 12.3 % lost (490 cartons), tolerance 2 %.',
    );
    expect(drafts[0].evidence).toEqual([first.id, onlyRutf.id]);
  });

  it("compares a site's latest verification with what was delivered there by the visit", () => {
    const base = [
      ...ports,
      exemption,
      consignmentRegistered(),
      consignmentLoaded(),
      consignmentDischarged(),
      custodyTransferred(),
      deliveryRecorded(),
    ];
    const short = verificationReported({ data: { observed: rutf(1100) } });
    const visitedAt = timeOf(short.data.at);

    const { drafts } = judge(quantityShrinkage, [...base, short], {
      consignmentId,
      watermark: visitedAt + DAY,
    });
    const verified = drafts.filter((d) => d.key === `RUTF|verified:${SampleIds.siteId}`);
    expect(verified).toHaveLength(1);
    expect(verified[0].explanation).toBe(
      'A monitor accounted for 1,100 cartons of RUTF at Sariwon Provincial Paediatric Hospital (KP-SHW-SARIWON-PH) ' +
        'but 1,200 cartons were delivered to Sariwon Provincial Paediatric Hospital (KP-SHW-SARIWON-PH) by then: ' +
        '8.3 % lost (100 cartons), tolerance 2 %.',
    );

    const revisit = verificationReported({
      id: 'verification-reported-0117-2',
      data: { verificationId: 'VER-0117-2', observed: rutf(1190), at: '2024-04-01T05:00:00Z' },
    });
    const later = judge(quantityShrinkage, [...base, short, revisit], {
      consignmentId,
      watermark: '2024-04-03T00:00:00Z',
    });
    expect(later.drafts.filter((d) => d.key.startsWith('RUTF|verified'))).toEqual([]);
  });

  it('clears its flag in the detector when a corrected delivery makes the quantities add up', () => {
    const detector = new DiversionDetector();
    const short = deliveryRecorded({ data: { items: rutf(3000) } });
    const base = [
      ...ports,
      exemption,
      registered,
      loaded,
      discharged(3990),
      custodyTransferred({ data: { items: rutf(3990) } }),
      short,
    ];
    const raised = feed(detector, [
      ...base,
      verificationReported({ data: { at: '2024-04-15T00:00:00Z', observed: rutf(3950) } }),
    ]);
    expect(raised.raised.map((f) => f.rule)).toContain('quantity-shrinkage');

    const corrected = deliveryRecorded({
      id: 'delivery-recorded-0117-1-corrected',
      time: '2024-04-16T00:00:00Z',
      data: { items: rutf(3950) },
    });
    const changes = handleAt(detector, corrected, timeOf('2024-04-16T00:00:00Z'));

    expect(changes.cleared.map((c) => c.rule)).toContain('quantity-shrinkage');
    expect(detector.openFlags(consignmentId).filter((f) => f.rule === 'quantity-shrinkage')).toEqual([]);
  });
});
