import { exemptionGranted, exemptionRevoked } from '@aidwatch/domain/testing';
import { EngineFeed } from '../support/engine-feed';
import { consignmentOf } from '../support/story-events';

// Stories under the sample WFP exemption (RUTF 12,000 cartons, Sariwon and Haeju, 15 Feb – 15 Aug 2024),
// fed in event-time order to the detection engine; each step states exactly which flags are open.

describe('distribution rounds and monitoring visits are judged on event time', () => {
  const a1 = consignmentOf('CSG-A1');
  const a2 = consignmentOf('CSG-A2');
  const feed = new EngineFeed();

  it('does not judge a short total while distribution may still go on', () => {
    feed.feed([
      exemptionGranted(),
      a1.registered('2024-03-01T06:00:00Z', { RUTF: 4000 }),
      a2.registered('2024-03-02T06:00:00Z', { RUTF: 2000 }),
      a1.loaded('2024-03-04T14:00:00Z', { RUTF: 4000 }),
      a2.loaded('2024-03-06T14:00:00Z', { RUTF: 2000 }),
      a1.discharged('2024-03-08T10:00:00Z', { RUTF: 3990 }),
      a2.discharged('2024-03-10T10:00:00Z', { RUTF: 1995 }),
      a1.delivered(1, '2024-03-11T03:00:00Z', 'sariwon', { RUTF: 1200 }),
      a2.delivered(1, '2024-03-20T03:00:00Z', 'haeju', { RUTF: 1990 }),
      a1.delivered(2, '2024-03-25T03:00:00Z', 'haeju', { RUTF: 1500 }),
      a1.verified(1, '2024-04-05T05:00:00Z', 'haeju', { RUTF: 1495 }),
      // 3,700 of 3,990 delivered by now, 7.3 % short, but another round may come.
      a1.delivered(3, '2024-04-10T03:00:00Z', 'sariwon', { RUTF: 1000 }),
    ]);
    expect(feed.lines()).toEqual([]);
  });

  it('flags a delivery not verified within 30 days once the allowed day of lateness has passed', () => {
    // CSG-A2 was delivered to Haeju on 20 March: due 19 April 03:00, judged from 20 April 03:00.
    feed.feed([a1.verified(2, '2024-04-20T02:00:00Z', 'sariwon', { RUTF: 2190 })]);
    expect(feed.lines()).toEqual([]);
    feed.feed([a1.verified(3, '2024-04-20T05:00:00Z', 'sariwon', { RUTF: 2190 })]);
    expect(feed.lines()).toEqual(['verification-overdue:CSG-A2:medium']);
  });

  it('clears the overdue flag when the late visit comes in', () => {
    feed.feed([a2.verified(1, '2024-05-02T05:00:00Z', 'haeju', { RUTF: 1985 })]);
    expect(feed.lines()).toEqual([]);
    expect(feed.cleared.map((c) => `${c.rule}:${c.subject.id}:${c.reason}`)).toEqual([
      'verification-overdue:CSG-A2:condition no longer holds',
    ]);
  });

  it('judges the total once 30 days have passed without a delivery', () => {
    const a3 = consignmentOf('CSG-A3');
    feed.feed([a3.registered('2024-05-10T02:00:00Z', { RUTF: 3000 })]);
    expect(feed.lines()).toEqual([]);
    feed.feed([a3.loaded('2024-05-11T04:00:00Z', { RUTF: 3000 })]);
    expect(feed.lines()).toEqual(['quantity-shrinkage:CSG-A1:medium']);
    const [flag] = feed.openFlags();
    expect(flag.observed).toMatchObject({
      step: 'delivered',
      previousQuantity: 3990,
      quantity: 3700,
      lost: 290,
    });
    expect(flag.explanation).toBe(
      'Delivered 3,700 cartons of RUTF to Sariwon Provincial Paediatric Hospital (KP-SHW-SARIWON-PH) and Haeju ' +
        'Nursery Centre (KP-SHW-HAEJU-NC) but 3,990 cartons were discharged at Nampo: 7.3 % lost (290 cartons), ' +
        'tolerance 2 %.',
    );
  });
});

describe('monitors turned away from a site three times in a row', () => {
  const b1 = consignmentOf('CSG-B1');
  const feed = new EngineFeed().feed([
    exemptionGranted(),
    b1.registered('2024-03-01T06:00:00Z', { RUTF: 2000 }),
    b1.loaded('2024-03-04T14:00:00Z', { RUTF: 2000 }),
    b1.discharged('2024-03-08T10:00:00Z', { RUTF: 1996 }),
    b1.delivered(1, '2024-03-11T03:00:00Z', 'haeju', { RUTF: 1000 }),
    b1.delivered(2, '2024-03-12T03:00:00Z', 'sariwon', { RUTF: 990 }),
  ]);

  it('raises a high flag on the first denial and keeps it high on the second', () => {
    feed.feed([b1.denied(1, '2024-03-20T01:00:00Z', 'haeju', 'Road closed by county authorities')]);
    expect(feed.lines()).toEqual(['access-denied:CSG-B1:high']);
    feed.feed([
      b1.verified(1, '2024-03-26T05:00:00Z', 'sariwon', { RUTF: 985 }),
      b1.denied(2, '2024-04-01T01:00:00Z', 'haeju', 'Officials unavailable'),
    ]);
    expect(feed.lines()).toEqual(['access-denied:CSG-B1:high']);
  });

  it('escalates to critical on the third, while the delivery there goes unverified', () => {
    feed.feed([b1.denied(3, '2024-04-12T01:00:00Z', 'haeju', 'Permission not granted')]);
    expect(feed.lines()).toEqual(['access-denied:CSG-B1:critical', 'verification-overdue:CSG-B1:medium']);
    expect(feed.openFlags()[0].observed).toMatchObject({ consecutiveDenials: 3 });
  });

  it('ends the run with a verification at the site, and starts a new one with the next denial', () => {
    feed.feed([b1.verified(2, '2024-04-25T05:00:00Z', 'haeju', { RUTF: 997 })]);
    expect(feed.lines()).toEqual([]);
    feed.feed([b1.denied(4, '2024-05-10T01:00:00Z', 'haeju', 'Quarantine')]);
    expect(feed.lines()).toEqual(['access-denied:CSG-B1:high']);
    expect(feed.openFlags()[0].observed).toMatchObject({ consecutiveDenials: 1 });
  });
});

describe('one bill of lading on two consignments, and a vaccine total near its authorisation', () => {
  const unicef = '1718-EX-2024-044';
  const [c1, c2, c3] = ['CSG-C1', 'CSG-C2', 'CSG-C3'].map(consignmentOf);
  const feed = new EngineFeed().feed([
    exemptionGranted({
      id: 'exemption-granted-044',
      subject: unicef,
      data: {
        exemptionId: unicef,
        committeeRef: '1718/EXEMPT/2024/044',
        projectTitle: 'Measles-rubella immunisation, South Hwanghae',
        implementingOrg: "United Nations Children's Fund (UNICEF)",
        items: [
          {
            itemCode: 'VAC-MR',
            hsCode: '3002.41',
            description: 'Measles-rubella vaccine',
            quantity: 200000,
            unit: 'dose',
          },
        ],
      },
    }),
  ]);
  const options = (billOfLading: string) => ({ billOfLading, exemptionId: unicef });

  it('flags both consignments citing the bill of lading', () => {
    feed.feed([
      c1.registered('2024-03-01T06:00:00Z', { 'VAC-MR': 90000 }, options('VVOCHO240301')),
      c2.registered('2024-03-02T06:00:00Z', { 'VAC-MR': 80000 }, options('VVOCHO240301')),
    ]);
    expect(feed.lines()).toEqual(['duplicate-document:CSG-C1:high', 'duplicate-document:CSG-C2:high']);
    expect(feed.openFlags().map((f) => f.consignmentIds)).toEqual([
      ['CSG-C1', 'CSG-C2'],
      ['CSG-C1', 'CSG-C2'],
    ]);
  });

  it('flags the consignment that takes the vaccine past the authorised total', () => {
    feed.feed([c3.registered('2024-03-05T06:00:00Z', { 'VAC-MR': 50000 }, options('VVOCHO240305'))]);
    expect(feed.lines()).toEqual([
      'duplicate-document:CSG-C1:high',
      'duplicate-document:CSG-C2:high',
      'over-authorisation:CSG-C3:high',
    ]);
  });

  it('clears both problems when the second registration is corrected', () => {
    feed.feed([
      c2.registered(
        '2024-03-06T06:00:00Z',
        { 'VAC-MR': 60000 },
        { ...options('VVOCHO240302'), id: 'CSG-C2/registered/2' },
      ),
    ]);
    expect(feed.lines()).toEqual([]);
  });

  it('counts what was loaded once it is loaded', () => {
    feed.feed([c3.loaded('2024-03-12T14:00:00Z', { 'VAC-MR': 52000 })]);
    expect(feed.openFlags().map((f) => [f.rule, f.severity, f.observed.cumulative])).toEqual([
      ['over-authorisation', 'high', 202000],
    ]);
  });

  // A corrected registration keeps the consignment's place in line (its first registration's time): CSG-C2
  // stays before CSG-C3, whose load takes the total past the authorisation and so carries the flag.
  it('keeps the corrected consignment in its place in line: the flag stays with the load that crossed', () => {
    expect(feed.lines()).toEqual(['over-authorisation:CSG-C3:high']);
  });
});

describe('a revocation reported after the delivery it affects', () => {
  const e1 = consignmentOf('CSG-E1');
  const feed = new EngineFeed().feed([
    exemptionGranted(),
    e1.registered('2024-05-01T06:00:00Z', { RUTF: 1000 }),
    e1.loaded('2024-05-20T14:00:00Z', { RUTF: 1000 }),
    e1.discharged('2024-05-24T10:00:00Z', { RUTF: 998 }),
    e1.delivered(1, '2024-06-05T03:00:00Z', 'sariwon', { RUTF: 995 }),
    e1.verified(1, '2024-06-15T05:00:00Z', 'sariwon', { RUTF: 990 }),
  ]);

  it('is clean until the revocation arrives', () => {
    expect(feed.lines()).toEqual([]);
  });

  it('then flags the delivery made after the revocation as critical, not the loading before it', () => {
    feed.feed([exemptionRevoked({ time: '2024-06-20T09:00:00Z' })]);
    expect(feed.lines()).toEqual(['outside-validity:CSG-E1:critical']);
    expect(feed.openFlags()[0].observed).toMatchObject({ revoked: true, at: '2024-06-05T03:00:00.000Z' });
  });
});
