import { brokenCustody } from './broken-custody.rule';
import { DiversionDetector } from './diversion-detector';
import {
  consignmentDischarged,
  consignmentLoaded,
  consignmentRegistered,
  custodyTransferred,
  deliveryRecorded,
  exemptionGranted,
  feed,
  judge,
  SampleIds,
  timeOf,
  handleAt,
} from './testing/diversion-harness';

const consignmentId = SampleIds.consignmentId;
const HOUR = 3_600_000;
const delivery = deliveryRecorded();
const deliveredAt = timeOf(delivery.data.at);
const known = [exemptionGranted(), consignmentRegistered(), consignmentLoaded()];
const handover = (n: number, from: string, to: string, at: string) =>
  custodyTransferred({ id: `custody-${n}`, data: { from, to, at } });

describe('broken-custody', () => {
  it('flags a delivery with no discharge on record once the allowed lateness has passed', () => {
    const pending = judge(brokenCustody, [...known, delivery], {
      consignmentId,
      watermark: deliveredAt + 24 * HOUR - 1,
    });
    expect(pending.drafts).toEqual([]);
    expect(pending.nextDeadline).toBe(deliveredAt + 24 * HOUR);

    const { drafts } = judge(brokenCustody, [...known, delivery], {
      consignmentId,
      watermark: deliveredAt + 24 * HOUR,
    });
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      rule: 'broken-custody',
      key: 'delivery-without-discharge',
      severity: 'high',
      evidence: [delivery.id],
      threshold: { allowedLatenessHours: 24 },
    });
    expect(drafts[0].explanation).toBe(
      'Delivery DLV-0117-1 was recorded at Sariwon Provincial Paediatric Hospital (KP-SHW-SARIWON-PH) but consignment ' +
        'CSG-2024-0117 has no recorded discharge.',
    );
  });

  it('clears the missing discharge when its report arrives late', () => {
    const detector = new DiversionDetector();
    const raised = feed(detector, [...known, delivery]);
    detector.advanceWatermark(deliveredAt + 48 * HOUR);
    expect(detector.openFlags(consignmentId).map((f) => f.rule)).toContain('broken-custody');
    expect(raised.raised).toEqual([]);

    const changes = handleAt(detector, consignmentDischarged(), deliveredAt + 48 * HOUR);
    expect(changes.cleared.map((c) => c.rule)).toEqual(['broken-custody']);
  });

  it('flags a handover from a party the goods were not handed to', () => {
    const first = handover(
      1,
      'WFP Nampo warehouse',
      'South Hwanghae Provincial Public Health Department',
      '2024-03-09T07:00:00Z',
    );
    const stray = handover(
      2,
      'Sariwon City People’s Committee',
      'Sariwon County Warehouse',
      '2024-03-10T07:00:00Z',
    );
    const events = [...known, consignmentDischarged(), first, stray];

    const { drafts } = judge(brokenCustody, events, { consignmentId });

    expect(drafts.map((d) => [d.key, d.evidence])).toEqual([
      ['handover:custody-2', ['custody-1', 'custody-2']],
    ]);
    expect(drafts[0].explanation).toBe(
      'Custody was handed over from Sariwon City People’s Committee to Sariwon County Warehouse on 2024-03-10 07:00 UTC, ' +
        'but the previous handover (2024-03-09 07:00 UTC) left the goods with South Hwanghae Provincial Public Health Department.',
    );
  });

  it('accepts a chain whose parties match, ignoring case and spacing, and any first holder', () => {
    const events = [
      ...known,
      consignmentDischarged(),
      handover(1, 'Anyone at the quay', 'South Hwanghae PHD', '2024-03-09T07:00:00Z'),
      handover(2, ' south hwanghae phd', 'Sariwon County Warehouse', '2024-03-10T07:00:00Z'),
    ];
    expect(judge(brokenCustody, events, { consignmentId }).drafts).toEqual([]);
  });

  it('flags steps dated before the step they depend on, and accepts the same instant', () => {
    const dischargedAt = consignmentDischarged().data.at;
    const tooEarly = deliveryRecorded({ data: { at: '2024-03-08T09:59:59Z' } });
    const { drafts } = judge(brokenCustody, [...known, consignmentDischarged(), tooEarly], { consignmentId });
    expect(drafts.map((d) => [d.key, d.evidence])).toEqual([
      ['order:delivery:DLV-0117-1', [tooEarly.id, 'consignment-discharged-0117']],
    ]);
    expect(drafts[0].explanation).toBe(
      'Delivery DLV-0117-1 on 2024-03-08 09:59 UTC is dated before the consignment was discharged (2024-03-08 10:00 UTC).',
    );

    const sameInstant = deliveryRecorded({ data: { at: dischargedAt } });
    expect(
      judge(brokenCustody, [...known, consignmentDischarged(), sameInstant], { consignmentId }).drafts,
    ).toEqual([]);

    const dischargedBeforeLoading = consignmentDischarged({ data: { at: '2024-03-01T00:00:00Z' } });
    expect(
      judge(brokenCustody, [...known, dischargedBeforeLoading], { consignmentId }).drafts.map((d) => d.key),
    ).toEqual(['order:discharge:consignment-discharged-0117']);
  });
});
