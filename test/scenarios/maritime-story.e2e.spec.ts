import { eventTimeOf } from '@aidwatch/detection';
import CheapRuler from 'cheap-ruler';
import type { AidEvent, LatLon, VesselPositionData } from '@aidwatch/domain';
import { consignmentArrived, consignmentDeparted, exemptionGranted } from '@aidwatch/domain/testing';
import { defaultPorts, SeaLanes, type LonLat } from '@aidwatch/maritime';
import { AisTrack, moved, Path } from '../../apps/aidwatch/src/demo/demo-ais-track';
import type { DemoVessel } from '../../apps/aidwatch/src/demo/demo-reference';
import { EngineFeed, flagLine } from '../support/engine-feed';
import { consignmentOf } from '../support/story-events';

// A carrier with aid on board meets another ship in the Korea Bay for three hours while a third one steams
// past; after discharging at Nampo, the carrier goes dark on its way back to Dalian.

const carrier: DemoVessel = {
  mmsi: '445321000',
  imo: '9365128',
  name: 'SAM JI YON 3',
  callsign: 'HMSJ3',
  flag: 'KP',
};
const partner: DemoVessel = {
  mmsi: '352123456',
  imo: '9477311',
  name: 'OCEAN STAR 8',
  callsign: '3FOS8',
  flag: 'PA',
};
const passing: DemoVessel = {
  mmsi: '413700200',
  imo: '9156022',
  name: 'XIN HUA 21',
  callsign: 'BQXH2',
  flag: 'CN',
};
const AIS = '/ais/test/yellow-sea';
const HOUR = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();

const lanes = new SeaLanes(defaultPorts());
const toNampo = new Path(lanes.lane('CNDLC', 'KPNAM') as LonLat[]);
const toDalian = new Path(lanes.lane('KPNAM', 'CNDLC') as LonLat[]);
const meetKm = 200;
const meeting = toNampo.at(meetKm).point;

function voyages(): { events: AidEvent[]; meetingFrom: number; meetingUntil: number } {
  const out = new AisTrack(carrier, AIS, '2024-05-06T04:00:00Z', toNampo.points[0], 6.6, 'NAMPO')
    .moored('2024-05-06T12:00:00Z')
    .sail(toNampo.slice(0, meetKm), { cruiseKn: 10 });
  const meetingFrom = out.now;
  const meetingUntil = meetingFrom + 3 * HOUR;
  const drifting = (t: number): LonLat => moved(meeting, (0.4 * (t - meetingFrom)) / HOUR, 200);
  out.drift(iso(meetingUntil), (t) => moved(drifting(t), 0.2, 110));
  out.sail(new Path([out.where, ...toNampo.slice(meetKm + 1, toNampo.lengthKm).points]), { cruiseKn: 10 });
  out.moored(iso(out.now + 2 * HOUR));

  const back = new AisTrack(carrier, AIS, '2024-05-09T00:00:00Z', toDalian.points[0], 4.2, 'DALIAN')
    .moored('2024-05-09T06:00:00Z')
    .sail(toDalian.slice(0, 100), { cruiseKn: 10 });
  back.dark(iso(back.now + 14 * HOUR), toDalian.at(250).point).sail(toDalian.slice(250, toDalian.lengthKm), {
    cruiseKn: 10,
  });
  back.moored(iso(back.now + 2 * HOUR));

  const other = new AisTrack(
    partner,
    AIS,
    iso(meetingFrom - 2 * HOUR + 2 * 60_000),
    moved(meeting, 30, 180),
    7.1,
    '',
  );
  other
    .sail(new Path([other.where, meeting]), { cruiseKn: 8, harbourKm: 0 })
    .drift(iso(meetingUntil + 2 * 60_000), drifting);
  other.sail(new Path([other.where, ...toNampo.slice(meetKm + 1, toNampo.lengthKm).points]), { cruiseKn: 9 });
  other.moored(iso(other.now + 2 * HOUR));

  // Timed to steam through the meeting point an hour after the two ships stopped there.
  const cruiseHours = (meetKm - 24) / (11 * 1.852) + 12 / (6 * 1.852);
  const past = new AisTrack(passing, AIS, '2024-05-06T08:00:00Z', toNampo.points[0], 7.4, 'NAMPO');
  past.moored(iso(meetingFrom + HOUR - cruiseHours * HOUR)).sail(toNampo, { cruiseKn: 11 });
  past.moored(iso(past.now + 2 * HOUR));

  const events = [...out.events, ...back.events, ...other.events, ...past.events];
  return { events, meetingFrom, meetingUntil };
}

describe('a carrier with aid on board meets another ship at sea, and later goes dark', () => {
  const d1 = consignmentOf('CSG-D1');
  const route: LatLon[] = toNampo.points.map(([lon, lat]) => ({ lat, lon }));
  const { events: ais, meetingFrom } = voyages();
  const paperwork: AidEvent[] = [
    exemptionGranted(),
    d1.registered(
      '2024-05-02T06:00:00Z',
      { RUTF: 3000 },
      { vessel: { mmsi: carrier.mmsi, imo: carrier.imo, name: carrier.name } },
    ),
    d1.loaded('2024-05-06T06:00:00Z', { RUTF: 3000 }, carrier.mmsi),
    consignmentDeparted({
      id: 'CSG-D1/departed',
      subject: 'CSG-D1',
      data: { consignmentId: 'CSG-D1', at: '2024-05-06T12:00:00Z' },
    }),
    consignmentArrived({
      id: 'CSG-D1/arrived',
      subject: 'CSG-D1',
      data: { consignmentId: 'CSG-D1', at: '2024-05-07T16:00:00Z' },
    }),
    d1.discharged('2024-05-08T02:00:00Z', { RUTF: 2995 }),
  ];
  (paperwork[1].data as { route?: LatLon[] }).route = route;
  const story = [...paperwork, ...ais].sort((a, b) => eventTimeOf(a) - eventTimeOf(b));
  const until = (ms: number) => new EngineFeed().feed(story.filter((e) => eventTimeOf(e) < ms));

  it('says nothing while the two ships have been together for less than two hours', () => {
    expect(until(meetingFrom + 1.5 * HOUR).lines()).toEqual([]);
  });

  it('flags the encounter on both ships, with the aid on board, once it has lasted two hours', () => {
    const feed = until(meetingFrom + 2.5 * HOUR);
    expect(feed.lines()).toEqual(
      [`encounter:${carrier.mmsi}:critical`, `encounter:${partner.mmsi}:critical`].sort(),
    );
    expect(feed.openFlags().map((f) => f.consignmentIds)).toEqual([['CSG-D1'], ['CSG-D1']]);
    expect(feed.openFlags().map((f) => f.observed.ongoing)).toEqual([true, true]);
  });

  it('ends with the encounter, and an AIS gap after discharge that no consignment shares', () => {
    const feed = new EngineFeed().feed(story);
    expect(feed.lines()).toEqual(
      [
        `encounter:${carrier.mmsi}:critical`,
        `encounter:${partner.mmsi}:critical`,
        `ais-gap:${carrier.mmsi}:high`,
      ].sort(),
    );
    const byLine = new Map(feed.openFlags().map((f) => [flagLine(f), f]));
    expect(byLine.get(`ais-gap:${carrier.mmsi}:high`)?.consignmentIds).toEqual([]);
    const met = byLine.get(`encounter:${carrier.mmsi}:critical`);
    expect(met?.observed).toMatchObject({
      partnerMmsi: partner.mmsi,
      ongoing: false,
      medianSpeedKn: expect.any(Number),
    });
    // Only slow samples of one 10-minute interval count: the approach and departure at cruising speed do not.
    expect(Number(met?.observed.hours)).toBeGreaterThanOrEqual(2.5);
    expect(met?.explanation).toContain('aid on board: CSG-D1');
  });

  it('never flags the ship that steamed past, nor the declared route', () => {
    const fixes = (mmsi: string) =>
      ais
        .filter((e) => e.type === 'aidwatch.vessel.position.v1' && e.subject === mmsi)
        .map((e) => e.data as VesselPositionData);
    const closest = Math.min(
      ...fixes(passing.mmsi).flatMap((p) =>
        fixes(carrier.mmsi)
          .filter((c) => Math.abs(Date.parse(c.at) - Date.parse(p.at)) <= 5 * 60_000)
          .map((c) => new CheapRuler(c.lat, 'meters').distance([c.lon, c.lat], [p.lon, p.lat])),
      ),
    );
    expect(closest).toBeLessThan(500);
    const feed = new EngineFeed().feed(story);
    expect(feed.raised.filter((f) => f.subject.id === passing.mmsi)).toEqual([]);
    expect(feed.raised.filter((f) => f.rule === 'route-deviation' || f.rule === 'loitering')).toEqual([]);
  });
});
