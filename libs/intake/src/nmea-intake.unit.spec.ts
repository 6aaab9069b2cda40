import { NmeaDecoder, tagBlock } from '@aidwatch/maritime';
import { decodeNmeaLines } from './nmea-intake';

const SF = '!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C';
const RECEIVED = Date.parse('2026-12-04T12:00:00Z');
const C = Math.floor(RECEIVED / 1000) - 60;

describe('decodeNmeaLines for a listener with a configured station (UDP/TCP)', () => {
  it('refuses a tag block naming another station, with a reason, and stores nothing under it', () => {
    for (const claimed of ['tcp1', 'nmea:other']) {
      const out = decodeNmeaLines(
        new NmeaDecoder(),
        `${tagBlock({ s: claimed, c: C })}${SF}`,
        RECEIVED,
        'udp1',
        {
          stationFixed: true,
        },
      );
      expect(out.events).toEqual([]);
      expect(out.rejected).toHaveLength(1);
      expect(out.rejected[0].reason).toContain('udp1');
    }
  });

  it("accepts lines naming the listener's own station or none, under source nmea:<station>", () => {
    for (const text of [`${tagBlock({ s: 'udp1', c: C })}${SF}`, `${tagBlock({ c: C })}${SF}`, SF]) {
      const out = decodeNmeaLines(new NmeaDecoder(), text, RECEIVED, 'udp1', { stationFixed: true });
      expect(out.rejected).toEqual([]);
      expect(out.events.map((e) => e.source)).toEqual(['nmea:udp1']);
    }
  });
});
