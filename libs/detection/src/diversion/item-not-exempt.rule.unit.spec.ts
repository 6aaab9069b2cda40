import { DiversionDetector } from './diversion-detector';
import { itemNotExempt } from './item-not-exempt.rule';
import {
  consignmentLoaded,
  consignmentRegistered,
  deliveryRecorded,
  exemptionGranted,
  feed,
  judge,
  SampleIds,
  timeOf,
  handleAt,
} from './testing/diversion-harness';

const consignmentId = SampleIds.consignmentId;
const withPumps = consignmentRegistered({
  data: {
    items: [
      { itemCode: 'RUTF', quantity: 4000, unit: 'carton' },
      { itemCode: 'PUMP-DSL', quantity: 12, unit: 'unit' },
    ],
  },
});

describe('item-not-exempt', () => {
  it('flags an item the exemption does not cover, once per item, with every event that lists it', () => {
    const loaded = consignmentLoaded({
      data: {
        items: [
          { itemCode: 'RUTF', quantity: 4000 },
          { itemCode: 'PUMP-DSL', quantity: 12 },
        ],
      },
    });
    const delivered = deliveryRecorded({ data: { items: [{ itemCode: 'PUMP-DSL', quantity: 12 }] } });

    const { drafts } = judge(itemNotExempt, [exemptionGranted(), withPumps, loaded, delivered], {
      consignmentId,
    });

    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      rule: 'item-not-exempt',
      key: 'item:PUMP-DSL',
      severity: 'high',
      evidence: [withPumps.id, loaded.id, delivered.id],
      observed: { itemCode: 'PUMP-DSL', in: ['registration', 'loading', 'delivery'], largestQuantity: 12 },
      threshold: { exemptItems: ['FBF-SC', 'RUTF', 'VAC-MR'] },
    });
    expect(drafts[0].explanation).toBe(
      'Item PUMP-DSL (up to 12 units) appears in the registration, loading and delivery of consignment CSG-2024-0117 ' +
        'but is not exempted by 1718-EX-2024-031 (1718/EXEMPT/2024/031), which covers FBF-SC, RUTF and VAC-MR.',
    );
  });

  it('does not flag items the exemption lists', () => {
    expect(
      judge(itemNotExempt, [exemptionGranted(), consignmentRegistered(), consignmentLoaded()], {
        consignmentId,
      }).drafts,
    ).toEqual([]);
  });

  it('flags an item that only turns up at delivery', () => {
    const delivered = deliveryRecorded({ data: { items: [{ itemCode: 'CEMENT', quantity: 40 }] } });
    const { drafts } = judge(itemNotExempt, [exemptionGranted(), consignmentRegistered(), delivered], {
      consignmentId,
    });
    expect(drafts.map((d) => [d.key, d.evidence])).toEqual([['item:CEMENT', [delivered.id]]]);
  });

  it('holds until the exemption arrives, and clears when an amended grant adds the item', () => {
    const detector = new DiversionDetector();
    expect(feed(detector, [withPumps]).raised).toEqual([]);

    const grant = exemptionGranted();
    const raised = handleAt(detector, grant, timeOf(grant.time));
    expect(raised.raised.map((f) => f.rule)).toEqual(['item-not-exempt']);

    const amended = exemptionGranted({
      id: 'exemption-granted-031-amendment-1',
      time: '2024-03-02T09:00:00Z',
      data: {
        items: [
          ...grant.data.items,
          { itemCode: 'PUMP-DSL', description: 'Diesel irrigation pump', unit: 'unit', quantity: 20 },
        ],
      },
    });
    const changes = handleAt(detector, amended, timeOf(amended.time));
    expect(changes.cleared.map((c) => c.rule)).toEqual(['item-not-exempt']);
  });

  it('flags the first items one by one and the rest of the consignment together: a bounded number of flags', () => {
    const items = Array.from({ length: 30 }, (_, i) => ({
      itemCode: `X-${String(i).padStart(2, '0')}`,
      quantity: 1,
      unit: 'unit',
    }));
    const registered = consignmentRegistered({ data: { items } });
    const { drafts } = judge(itemNotExempt, [exemptionGranted(), registered], { consignmentId });
    expect(drafts.map((d) => d.key)).toEqual([
      ...items.slice(0, 20).map((i) => `item:${i.itemCode}`),
      'items:more',
    ]);
    expect(drafts[20]).toMatchObject({
      observed: { itemCodes: items.slice(20).map((i) => i.itemCode), in: ['registration'] },
      evidence: [registered.id],
    });
    expect(drafts[20].explanation).toMatch(
      /^10 more items \(X-20, X-21, .*X-29\) appear in the registration/,
    );
  });
});
