import {
  encodeClassAPosition,
  encodeClassBPosition,
  encodeExtendedClassB,
  encodeStaticDataReport,
  encodeStaticVoyage,
  toSentences,
} from './ais.encoder';
import { EventTypes } from '@aidwatch/domain';
import { simulateTraffic } from '../simulator/traffic-simulator';
import { isNmeaDecoded, isNmeaError, NmeaDecoder, type NmeaDecoded } from './nmea.decoder';

// Regional vessels have no published sample sentences, so these are encoded here. The literal sentences below
// were checked with gpsd 3.22's gpsdecode, an independent decoder, which read back exactly the values encoded.
const AT = Date.parse('2026-11-01T06:00:00Z');

function decode(lines: string[]): NmeaDecoded[] {
  const decoder = new NmeaDecoder();
  const results = lines.flatMap((line) => decoder.decode(line, AT));
  expect(results.filter(isNmeaError)).toEqual([]);
  return results.filter(isNmeaDecoded);
}

describe('AIS encoder round trips', () => {
  it('encodes a DPRK tanker static and voyage report as two sentences', () => {
    const lines = toSentences(
      encodeStaticVoyage({
        mmsi: '445123000',
        imo: '9123457',
        callsign: 'HMYU',
        name: 'CHON MA SAN',
        shipType: 80,
        draught: 8.4,
        destination: 'KPNAM',
        dimensions: { toBow: 100, toStern: 20, toPort: 8, toStarboard: 10 },
      }),
      { sequenceId: 3, channel: 'B' },
    );
    expect(lines).toEqual([
      '!AIVDM,2,1,3,B,56`P9f02;=`4PmUD000<Ptr0l61<4p000000001@<PD8:40HtE2l3PC@0000,0*64',
      '!AIVDM,2,2,3,B,00000000000,2*24',
    ]);
    expect(decode(lines).map((r) => r.data)).toEqual([
      {
        mmsi: '445123000',
        imo: '9123457',
        callsign: 'HMYU',
        name: 'CHON MA SAN',
        shipType: 80,
        draught: 8.4,
        destination: 'KPNAM',
        flag: 'KP',
        at: '2026-11-01T06:00:00.000Z',
      },
    ]);
  });

  it('encodes a class A position off Nampo', () => {
    const lines = toSentences(
      encodeClassAPosition({
        mmsi: '445123000',
        lat: 38.7283,
        lon: 125.4119,
        sog: 11.8,
        cog: 245.3,
        heading: 244,
        navStatus: 0,
        second: 12,
      }),
    );
    expect(lines).toEqual(['!AIVDM,1,1,,A,16`P9f0P1n8v5i8F:AM9UG`H0000,0*28']);
    expect(decode(lines)[0].data).toEqual({
      mmsi: '445123000',
      lat: 38.7283,
      lon: 125.4119,
      sog: 11.8,
      cog: 245.3,
      heading: 244,
      navStatus: 0,
      at: '2026-11-01T06:00:00.000Z',
    });
  });

  it('encodes class B reports: type 18, type 19 and both parts of type 24', () => {
    const lines = [
      ...toSentences(encodeClassBPosition({ mmsi: '412345678', lat: 39.9, lon: 124.1, sog: 6.2, cog: 10.5 })),
      ...toSentences(
        encodeExtendedClassB({
          mmsi: '273456789',
          lat: 42.8,
          lon: 132.9,
          sog: 0.4,
          cog: 0,
          heading: 90,
          name: 'VOSTOK 7',
          shipType: 30,
        }),
      ),
      ...toSentences(encodeStaticDataReport('A', { mmsi: '440123456', name: 'HANA' })),
      ...toSentences(encodeStaticDataReport('B', { mmsi: '440123456', shipType: 37, callsign: 'DSAB3' })),
    ];
    expect(lines).toEqual([
      '!AIVDM,1,1,,A,B69?UCP0?R>1Fh5eBr06Wwv40000,0*6A',
      '!AIVDM,1,1,,A,C44jNU@012H5ph67n8000eN0dNV`NG1f000000000000?000002P,0*51',
      '!AIVDM,1,1,,A,H6Sg0@0P4p40000000000000000,2*0E',
      '!AIVDM,1,1,,A,H6Sg0@4U00000004C12k00000000,0*52',
    ]);
    const at = '2026-11-01T06:00:00.000Z';
    expect(decode(lines).map((r) => r.data)).toEqual([
      { mmsi: '412345678', lat: 39.9, lon: 124.1, sog: 6.2, cog: 10.5, at },
      { mmsi: '273456789', lat: 42.8, lon: 132.9, sog: 0.4, cog: 0, heading: 90, at },
      { mmsi: '273456789', name: 'VOSTOK 7', shipType: 30, flag: 'RU', at },
      { mmsi: '440123456', name: 'HANA', flag: 'KR', at },
      { mmsi: '440123456', shipType: 37, callsign: 'DSAB3', flag: 'KR', at },
    ]);
  });

  it('round-trips the southern and western hemispheres (signed coordinates)', () => {
    const [r] = decode(
      toSentences(encodeClassAPosition({ mmsi: '636012345', lat: -33.45678, lon: -70.65432, sog: 3 })),
    );
    expect(r.data).toMatchObject({ lat: -33.45678, lon: -70.65432, sog: 3 });
  });

  it('keeps a position whose speed over ground is "not available", leaving sog out', () => {
    const decoder = new NmeaDecoder();
    const [line] = toSentences(encodeClassAPosition({ type: 3, mmsi: '445123000', lat: -33.5, lon: -70.25 }));
    expect(line).toBe('!AIVDM,1,1,,A,36`P9f?P?wJvJtQdm<H>4?wp0000,0*77');
    const [r] = decoder.decode(line, AT) as NmeaDecoded[];
    expect(r.data).toEqual({
      mmsi: '445123000',
      lat: -33.5,
      lon: -70.25,
      navStatus: 15,
      at: '2026-11-01T06:00:00.000Z',
    });
  });
});

describe('simulated traffic through NMEA and back', () => {
  it('decodes to the same positions and static reports the simulator produced', () => {
    const sim = simulateTraffic({
      vessels: 4,
      hours: 3,
      seed: 11,
      start: '2026-11-01T00:00:00Z',
      downsample: 6,
    });
    const decoder = new NmeaDecoder();
    let compared = 0;
    for (const event of sim.events()) {
      const c = Date.parse(event.time) / 1000;
      const lines =
        event.type === EventTypes.VesselPositionReported
          ? toSentences(encodeClassAPosition(event.data), { tagBlock: { c } })
          : toSentences(encodeStaticVoyage(event.data), { tagBlock: { c }, sequenceId: compared % 10 });
      const results = lines.flatMap((line) => decoder.decode(line)).filter(isNmeaDecoded);
      expect(results).toHaveLength(1);
      const back = (results[0] as NmeaDecoded).data as unknown as Record<string, unknown>;
      const sent = event.data as unknown as Record<string, unknown>;
      if (event.type === EventTypes.VesselPositionReported) {
        expect({ ...back, lat: 0, lon: 0 }).toEqual({ ...sent, lat: 0, lon: 0 });
        expect(back.lat as number).toBeCloseTo(sent.lat as number, 5);
        expect(back.lon as number).toBeCloseTo(sent.lon as number, 5);
      } else {
        expect(back).toEqual(sent);
      }
      compared++;
    }
    expect(compared).toBeGreaterThan(200);
  });
});
