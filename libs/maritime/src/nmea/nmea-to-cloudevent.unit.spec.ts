import { EventTypes, validateCloudEvent } from '@aidwatch/domain';
import { NmeaDecoder, type NmeaDecoded } from './nmea.decoder';
import { nmeaResultsToCloudEvents, nmeaToCloudEvent } from './nmea-to-cloudevent';

const TYPE19 = '!AIVDM,1,1,,B,C5N3SRgPEnJGEBT>NhWAwwo862PaLELTBJ:V00000000S0D:R220,0*0B';
const SF = '!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C';

describe('NMEA results as contract CloudEvents', () => {
  it('gives a valid position event, subject = MMSI, source named after the station', () => {
    const [r] = new NmeaDecoder().decode(`\\s:KR-BUSAN,c:1793491200*41\\${SF}`) as NmeaDecoded[];
    const event = nmeaToCloudEvent(r);
    expect(event).toMatchObject({
      specversion: '1.0',
      type: EventTypes.VesselPositionReported,
      source: 'nmea:KR-BUSAN',
      subject: '366053209',
      time: '2026-11-01T00:00:00.000Z',
      data: { mmsi: '366053209', sog: 0 },
    });
    expect(validateCloudEvent(event)).toMatchObject({ ok: true });
  });

  it('derives the same id when the same reception is delivered again, another for another time', () => {
    const first = new NmeaDecoder().decode(SF, 1_793_491_200_000) as NmeaDecoded[];
    const again = new NmeaDecoder().decode(SF, 1_793_491_200_000) as NmeaDecoded[];
    const later = new NmeaDecoder().decode(SF, 1_793_491_210_000) as NmeaDecoded[];
    const id = (r: NmeaDecoded[]) => nmeaToCloudEvent(r[0], { station: 'test' }).id;
    expect(id(again)).toBe(id(first));
    expect(id(later)).not.toBe(id(first));
  });

  it('gives the two reports of one type 19 message distinct ids, and sets errors aside', () => {
    const decoder = new NmeaDecoder({ station: 'test' });
    const { events, errors } = nmeaResultsToCloudEvents([
      ...decoder.decode(TYPE19, 1_793_491_200_000),
      ...decoder.decode('!AIVDM,1,1,,B,garbage,0*00', 1_793_491_200_000),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      EventTypes.VesselPositionReported,
      EventTypes.VesselStaticReported,
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
    expect(events.every((e) => validateCloudEvent(e).ok)).toBe(true);
    expect(events[0].source).toBe('nmea:test');
    expect(errors).toHaveLength(1);
  });
});
