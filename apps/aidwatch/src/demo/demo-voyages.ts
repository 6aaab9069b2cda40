import type { VesselPositionReported, VesselStaticReported } from '@aidwatch/domain';
import { defaultPorts, SeaLanes, type LonLat } from '@aidwatch/maritime';
import { AisTrack, moved, Path } from './demo-ais-track';
import { Vessels, type DemoVessel } from './demo-reference';

type AisEvent = VesselPositionReported | VesselStaticReported;

const YELLOW_SEA = '/ais/coastal-receivers/yellow-sea';
const EAST_SEA = '/ais/coastal-receivers/east-sea';

const lanes = new SeaLanes(defaultPorts());
const lane = (from: string, to: string): Path => new Path(lanes.lane(from, to) as LonLat[]);

interface Crossing {
  vessel: DemoVessel;
  source: string;
  from: string;
  to: string;
  destination: string;
  mooredFrom: string;
  departs: string;
  cruiseKn: number;
  draught: number;
}

/** An ordinary crossing: at the berth, along the sea lane, at the berth again for two hours. */
function crossing(c: Crossing): AisEvent[] {
  const path = lane(c.from, c.to);
  const track = new AisTrack(c.vessel, c.source, c.mooredFrom, path.points[0], c.draught, c.destination)
    .moored(c.departs)
    .sail(path, { cruiseKn: c.cruiseKn });
  return track.moored(new Date(track.now + 2 * 3_600_000).toISOString()).events;
}

/**
 * RYONG SONG 5 leaves Dalian for Nampo with CSG-2026-0109 on board, switches its transponder off in the Korea
 * Bay for 17 hours and reappears 100 km from Nampo alongside YU SON 8, a vessel on the 1718 Committee's list.
 * The two drift together for six hours; RYONG SONG 5 then reports a draught 1.4 m lighter and sails on to
 * Nampo, where the consignment is discharged 17 % short. YU SON 8 heads west and goes dark again.
 */
function rendezvous(): AisEvent[] {
  const toNampo = lane('CNDLC', 'KPNAM');
  const meetKm = 290;
  const meeting = toNampo.at(meetKm).point;
  const start = Date.parse('2026-06-11T18:30:00Z');
  // Both drift south-west with the current at about 0.6 kn; the carrier lies some 240 m off the other's beam.
  const drifting = (t: number): LonLat => moved(meeting, (1.1 * (t - start)) / 3_600_000, 225);
  const alongside = (t: number): LonLat => moved(drifting(t), 0.24, 75);

  const carrier = new AisTrack(
    Vessels.ryongSong5,
    YELLOW_SEA,
    '2026-06-10T06:00:00Z',
    toNampo.points[0],
    6.8,
    'NAMPO',
  )
    .moored('2026-06-10T18:00:00Z')
    .sail(toNampo.slice(0, 150), { cruiseKn: 10.5, harbourKm: 12 })
    .dark('2026-06-11T19:31:00Z', alongside(Date.parse('2026-06-11T19:31:00Z')))
    .drift('2026-06-12T01:40:00Z', alongside)
    .reportDraught(5.4);
  const onward = new Path([carrier.where, ...toNampo.slice(meetKm + 2, toNampo.lengthKm).points]);
  carrier.sail(onward, { cruiseKn: 9.5, harbourKm: 12 });
  carrier.moored(new Date(carrier.now + 2 * 3_600_000).toISOString());

  const fromNampo = lane('KPNAM', 'CNDLC');
  const partner = new AisTrack(
    Vessels.yuSon8,
    YELLOW_SEA,
    '2026-06-11T08:02:00Z',
    fromNampo.points[0],
    4.1,
    '',
  )
    .moored('2026-06-11T10:32:00Z')
    .sail(fromNampo.slice(0, fromNampo.lengthKm - meetKm), { cruiseKn: 9, harbourKm: 12 });
  partner.drift('2026-06-12T02:12:00Z', drifting);
  const westward = new Path([partner.where, moved(partner.where, 40, 300)]);
  partner.sail(westward.slice(0, 12), { cruiseKn: 8, harbourKm: 0 });
  // Two days later it is heard again west of the meeting, under another name and call sign (same MMSI and
  // IMO number): an identity change.
  partner
    .dark('2026-06-14T06:00:00Z', moved(partner.where, 60, 290))
    .renamed({ name: 'SU SONG', callsign: 'HMSS2' })
    .sail(new Path([partner.where, moved(partner.where, 30, 290)]), { cruiseKn: 8, harbourKm: 0 });
  return [...carrier.events, ...partner.events];
}

/**
 * KAPITAN SOKOLOV, carrying the WHO's tuberculosis medicines from Vladivostok to Hungnam, leaves the declared
 * sea lane some 200 km out and runs 130 km (70 nm) east of it for about 60 km before coming back: a route
 * deviation (the corridor is 50 nm) with aid on board.
 */
function detour(): AisEvent[] {
  const path = lane('RUVVO', 'KPHGM');
  const leave = path.at(200);
  const rejoin = path.at(260);
  const east = (p: { point: LonLat; course: number }) => moved(p.point, 130, p.course - 90);
  const route = new Path([
    ...path.slice(0, 200).points,
    east(leave),
    east(rejoin),
    ...path.slice(260, path.lengthKm).points,
  ]);
  const track = new AisTrack(
    Vessels.kapitanSokolov,
    EAST_SEA,
    '2026-07-01T23:30:00Z',
    path.points[0],
    6.5,
    'HUNGNAM',
  )
    .moored('2026-07-02T06:00:00Z')
    .sail(route, { cruiseKn: 14 });
  return track.moored(new Date(track.now + 2 * 3_600_000).toISOString()).events;
}

/** AIS reports of three ordinary crossings with aid on board, the rendezvous at sea and a detour. */
export function voyageEvents(): AisEvent[] {
  return [
    ...crossing({
      vessel: Vessels.danHai6,
      source: YELLOW_SEA,
      from: 'CNDDG',
      to: 'KPNAM',
      destination: 'NAMPO',
      mooredFrom: '2026-04-02T00:00:00Z',
      departs: '2026-04-02T10:00:00Z',
      cruiseKn: 10,
      draught: 5.6,
    }),
    ...crossing({
      vessel: Vessels.huaXin18,
      source: YELLOW_SEA,
      from: 'CNDLC',
      to: 'KPNAM',
      destination: 'NAMPO',
      mooredFrom: '2026-05-11T04:00:00Z',
      departs: '2026-05-11T10:00:00Z',
      cruiseKn: 11,
      draught: 6.2,
    }),
    ...crossing({
      vessel: Vessels.zarya,
      source: EAST_SEA,
      from: 'RUVVO',
      to: 'KPCHO',
      destination: 'CHONGJIN',
      mooredFrom: '2026-05-25T01:00:00Z',
      departs: '2026-05-25T08:00:00Z',
      cruiseKn: 11,
      draught: 5.9,
    }),
    ...rendezvous(),
    ...detour(),
  ];
}
