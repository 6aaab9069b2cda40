import CheapRuler from 'cheap-ruler';
import { DiversionDetector } from './diversion-detector';
import { distanceKm, undeclaredLocation } from './undeclared-location.rule';
import {
  consignmentRegistered,
  deliveryRecorded,
  exemptionGranted,
  feed,
  judge,
  SampleIds,
  timeOf,
  verificationReported,
  handleAt,
} from './testing/diversion-harness';

const consignmentId = SampleIds.consignmentId;
const sariwon = { lat: 38.5072, lon: 125.7558 }; // declared with a 2 km radius
const east = (km: number) => {
  const [lon, lat] = new CheapRuler(sariwon.lat, 'kilometers').destination(
    [sariwon.lon, sariwon.lat],
    km,
    90,
  );
  return { lat, lon };
};
const deliveredAt = (where: { lat: number; lon: number }) => deliveryRecorded({ data: { ...where } });
const known = [exemptionGranted(), consignmentRegistered()];

describe('undeclared-location', () => {
  it('measures distances close to the great-circle figure', () => {
    // Sariwon to Haeju: 52.0 km by haversine (mean Earth radius).
    expect(distanceKm(sariwon, 38.0406, 125.7147)).toBeCloseTo(52.0, 0);
  });

  it('flags a delivery recorded farther than the radius from every declared site', () => {
    const { drafts } = judge(undeclaredLocation, [...known, deliveredAt({ lat: 38.75, lon: 126.1 })], {
      consignmentId,
    });

    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      rule: 'undeclared-location',
      key: 'delivery:DLV-0117-1',
      severity: 'high',
      observed: { claimedSiteId: SampleIds.siteId, nearestSiteId: SampleIds.siteId },
      threshold: { radiusKm: 2, slackKm: 0 },
    });
    expect(drafts[0].observed.distanceKm).toBeCloseTo(40.3, 0);
    expect(drafts[0].explanation).toMatch(
      /^Delivery DLV-0117-1 for Sariwon Provincial Paediatric Hospital \(KP-SHW-SARIWON-PH\) was recorded at 38\.7500, 126\.1000, 40\.\d+ km from the nearest declared site Sariwon Provincial Paediatric Hospital \(KP-SHW-SARIWON-PH\) \(radius 2 km\)\.$/,
    );
  });

  it('accepts a delivery just inside the radius and flags one just outside', () => {
    expect(judge(undeclaredLocation, [...known, deliveredAt(east(1.999))], { consignmentId }).drafts).toEqual(
      [],
    );
    expect(
      judge(undeclaredLocation, [...known, deliveredAt(east(2.001))], { consignmentId }).drafts,
    ).toHaveLength(1);
    const config = { siteRadiusSlackKm: 0.5 };
    expect(
      judge(undeclaredLocation, [...known, deliveredAt(east(2.4))], { consignmentId, config }).drafts,
    ).toEqual([]);
  });

  it('accepts a location within any declared site, not only the one claimed', () => {
    const atHaeju = deliveredAt({ lat: 38.041, lon: 125.715 });
    expect(judge(undeclaredLocation, [...known, atHaeju], { consignmentId }).drafts).toEqual([]);
  });

  it('flags a verification visit recorded elsewhere', () => {
    const visit = verificationReported({ data: { lat: 39.02, lon: 125.75 } });
    const { drafts } = judge(undeclaredLocation, [...known, visit], { consignmentId });
    expect(drafts.map((d) => [d.key, d.evidence])).toEqual([['verification:VER-0117-1', [visit.id]]]);
  });

  it('holds its judgement until the exemption is known, then flags', () => {
    const far = deliveredAt({ lat: 38.75, lon: 126.1 });
    expect(judge(undeclaredLocation, [consignmentRegistered(), far], { consignmentId }).drafts).toEqual([]);

    const detector = new DiversionDetector();
    const before = feed(detector, [consignmentRegistered(), far]);
    expect(before.raised.filter((f) => f.rule === 'undeclared-location')).toEqual([]);
    expect(detector.consignmentView(consignmentId)?.held).toBe(true);

    const granted = exemptionGranted();
    const after = handleAt(detector, granted, timeOf(far.data.at));
    expect(after.raised.filter((f) => f.rule === 'undeclared-location').map((f) => f.evidence)).toEqual([
      [far.id],
    ]);
    expect(detector.consignmentView(consignmentId)?.held).toBe(false);
  });

  it('clears when the delivery is corrected to the declared site', () => {
    const detector = new DiversionDetector();
    const raised = feed(detector, [...known, deliveredAt({ lat: 38.75, lon: 126.1 })]);
    expect(raised.raised.map((f) => f.rule)).toContain('undeclared-location');

    const corrected = deliveryRecorded({ id: 'delivery-recorded-0117-1-fix', time: '2024-03-12T00:00:00Z' });
    const changes = handleAt(detector, corrected, timeOf('2024-03-12T00:00:00Z'));
    expect(changes.cleared.map((c) => c.rule)).toContain('undeclared-location');
  });
});
