import { DiversionDetector } from './diversion-detector';
import { outsideValidity } from './outside-validity.rule';
import {
  consignmentLoaded,
  consignmentRegistered,
  deliveryRecorded,
  exemptionGranted,
  exemptionRevoked,
  feed,
  judge,
  SampleIds,
  timeOf,
  handleAt,
} from './testing/diversion-harness';

const consignmentId = SampleIds.consignmentId;
// The sample exemption is valid from 2024-02-15T00:00Z to 2024-08-15T00:00Z.
const grant = exemptionGranted();
const loadedAt = (at: string) => consignmentLoaded({ data: { at } });
const deliveredAt = (at: string) => deliveryRecorded({ data: { at } });
const known = [grant, consignmentRegistered()];

describe('outside-validity', () => {
  it('flags a load before the exemption becomes valid', () => {
    const load = loadedAt('2024-02-14T23:59:59Z');
    const { drafts } = judge(outsideValidity, [...known, load], { consignmentId });

    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      rule: 'outside-validity',
      key: `load:${load.id}`,
      severity: 'high',
      evidence: [load.id, grant.id],
      observed: {
        at: '2024-02-14T23:59:59.000Z',
        beforeValidity: true,
        afterValidity: false,
        revoked: false,
      },
      threshold: {
        validFrom: '2024-02-15T00:00:00.000Z',
        validUntil: '2024-08-15T00:00:00.000Z',
        revokedAt: null,
      },
    });
    expect(drafts[0].explanation).toBe(
      'Loading of consignment CSG-2024-0117 on 2024-02-14 23:59 UTC is before the validity of exemption ' +
        '1718-EX-2024-031 (2024-02-15 to 2024-08-15).',
    );
  });

  it('accepts a load or a delivery exactly on either bound, and flags one just after the end', () => {
    const onBounds = [...known, loadedAt('2024-02-15T00:00:00Z'), deliveredAt('2024-08-15T00:00:00Z')];
    expect(judge(outsideValidity, onBounds, { consignmentId }).drafts).toEqual([]);

    const late = deliveredAt('2024-08-15T00:00:01Z');
    expect(
      judge(outsideValidity, [...known, late], { consignmentId }).drafts.map((d) => [d.key, d.severity]),
    ).toEqual([['delivery:DLV-0117-1', 'high']]);
  });

  it('flags a delivery at or after the revocation as critical', () => {
    const revoked = exemptionRevoked(); // at 2024-06-01T12:00Z
    const delivery = deliveredAt('2024-06-01T12:00:00Z');
    const { drafts } = judge(outsideValidity, [...known, revoked, delivery], { consignmentId });

    expect(drafts.map((d) => [d.severity, d.evidence])).toEqual([
      ['critical', [delivery.id, grant.id, revoked.id]],
    ]);
    expect(drafts[0].explanation).toBe(
      'Delivery DLV-0117-1 to Sariwon Provincial Paediatric Hospital (KP-SHW-SARIWON-PH) on 2024-06-01 12:00 UTC came ' +
        'after exemption 1718-EX-2024-031 was revoked on 2024-06-01 12:00 UTC (Implementing organisation lost monitoring access).',
    );
    expect(
      judge(outsideValidity, [...known, revoked, deliveredAt('2024-06-01T11:59:59Z')], { consignmentId })
        .drafts,
    ).toEqual([]);
  });

  it('re-judges the consignments of an exemption when its revocation arrives after their deliveries', () => {
    const detector = new DiversionDetector();
    const delivery = deliveredAt('2024-06-10T08:00:00Z');
    expect(feed(detector, [...known, delivery]).raised.filter((f) => f.rule === 'outside-validity')).toEqual(
      [],
    );

    const changes = handleAt(detector, exemptionRevoked(), timeOf('2024-06-10T08:00:00Z'));

    expect(changes.raised.map((f) => [f.rule, f.severity, f.subject.id])).toEqual([
      ['outside-validity', 'critical', consignmentId],
    ]);
  });

  it('clears when a corrected delivery date falls inside the window', () => {
    const detector = new DiversionDetector();
    feed(detector, [...known, deliveredAt('2024-08-20T00:00:00Z')]);
    const corrected = deliveryRecorded({
      id: 'delivery-corrected',
      time: '2024-08-21T00:00:00Z',
      data: { at: '2024-08-10T00:00:00Z' },
    });
    const changes = handleAt(detector, corrected, timeOf('2024-08-21T00:00:00Z'));
    expect(changes.cleared.map((c) => c.rule)).toContain('outside-validity');
  });
});
