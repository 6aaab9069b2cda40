import {
  AisBitWriter,
  encodeClassAPosition,
  encodeClassBPosition,
  tagBlock,
  toSentences,
} from './ais.encoder';
import { isNmeaDecoded, isNmeaError, NmeaDecoder, type NmeaDecoded, type NmeaResult } from './nmea.decoder';
import { nmeaChecksum } from './nmea-sentence';

// AIS feeds as receivers deliver them: fragments out of order and across requests, the same message from
// two stations, satellite type 27, type 5 cut short, "not available" values, broken tag-block clocks.
// Vectors: gpsd's sample.aivdm EVER DIADEM type 5 (values as gpsd publishes them) and messages encoded here
// field by field per ITU-R M.1371.

const T0 = Date.parse('2026-11-01T00:00:00Z');
const EVER_DIADEM = [
  '!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C',
  '!AIVDM,2,2,1,A,88888888880,2*25',
];
const sentence = (body: string) => `!${body}*${nmeaChecksum(body)}`;
const withTag = (fields: { c?: number; s?: string }, line: string) => `${tagBlock(fields)}${line}`;
const decodedOf = (results: NmeaResult[]) => results.filter(isNmeaDecoded) as NmeaDecoded[];

describe('multipart messages, as feeds deliver them', () => {
  it('assemble in any order and across calls (one request per fragment)', () => {
    const decoder = new NmeaDecoder();
    expect(decoder.decode(EVER_DIADEM[1], T0, 'KR-BUSAN')).toEqual([
      expect.objectContaining({ note: 'pending' }),
    ]);
    const [r] = decodedOf(decoder.decode(EVER_DIADEM[0], T0 + 5_000, 'KR-BUSAN'));
    expect(r.data).toMatchObject({ mmsi: '351759000', name: 'EVER DIADEM', destination: 'NEW YORK' });
    expect(r.meta.sentences).toEqual(EVER_DIADEM);
    expect(decoder.pendingMessages).toBe(0);
  });

  it('are kept apart per station: fragments of two receivers never make one message', () => {
    const decoder = new NmeaDecoder();
    decoder.decode(EVER_DIADEM[0], T0, 'KR-BUSAN');
    expect(decodedOf(decoder.decode(EVER_DIADEM[1], T0, 'JP-MOJI'))).toEqual([]);
    expect(decoder.pendingMessages).toBe(2);
  });

  it('wait only within the window, then are dropped and counted', () => {
    const decoder = new NmeaDecoder({ fragmentWindowMs: 60_000 });
    decoder.decode(EVER_DIADEM[0], T0, 'KR-BUSAN');
    expect(decodedOf(decoder.decode(EVER_DIADEM[1], T0 + 61_000, 'KR-BUSAN'))).toEqual([]);
    expect(decoder.stats.expired).toBe(1);
    expect(decoder.pendingMessages).toBe(1);
  });
});

describe('the same message heard by two stations', () => {
  const line = toSentences(encodeClassAPosition({ mmsi: '445123000', lat: 38.6, lon: 125.1, sog: 9.5 }))[0];

  it('is one event, the second reception a duplicate', () => {
    const decoder = new NmeaDecoder({ duplicateWindowMs: 30_000 });
    const c = T0 / 1000;
    expect(decodedOf(decoder.decode(withTag({ s: 'KR-BUSAN', c }, line), T0))).toHaveLength(1);
    expect(decoder.decode(withTag({ s: 'JP-MOJI', c: c + 2 }, line), T0)).toEqual([
      expect.objectContaining({ note: 'duplicate' }),
    ]);
    expect(decoder.stats.duplicates).toBe(1);
  });

  it('is a new event when it comes again outside the window', () => {
    const decoder = new NmeaDecoder({ duplicateWindowMs: 30_000 });
    expect(decodedOf(decoder.decode(line, T0, 'KR-BUSAN'))).toHaveLength(1);
    expect(decodedOf(decoder.decode(line, T0 + 31_000, 'JP-MOJI'))).toHaveLength(1);
  });
});

describe('type 27, long-range (satellite) position', () => {
  const type27 = (f: { nav: number; lon: number; lat: number; sog: number; cog: number }) =>
    sentence(
      `AIVDM,1,1,,B,${
        new AisBitWriter()
          .uint(27, 6)
          .uint(0, 2)
          .uint(445123000, 30)
          .uint(0, 1)
          .uint(0, 1)
          .uint(f.nav, 4)
          .int(f.lon, 18)
          .int(f.lat, 17)
          .uint(f.sog, 6)
          .uint(f.cog, 9)
          .uint(0, 1)
          .uint(0, 1)
          .toPayload().payload
      },0`,
    );

  it('decodes position (1/10 minute), speed (knots) and course (degrees)', () => {
    const line = type27({ nav: 0, lon: 75230, lat: 23243, sog: 11, cog: 247 });
    const [r] = decodedOf(new NmeaDecoder().decode(line, T0));
    expect(r.meta.messageType).toBe(27);
    expect(r.data).toEqual({
      mmsi: '445123000',
      lat: 38.7383333,
      lon: 125.3833333,
      sog: 11,
      cog: 247,
      navStatus: 0,
      at: '2026-11-01T00:00:00.000Z',
    });
  });

  it('leaves out speed 63 and course 511 (not available), keeping the position', () => {
    const [r] = decodedOf(
      new NmeaDecoder().decode(type27({ nav: 1, lon: -6000, lat: 600, sog: 63, cog: 511 }), T0),
    );
    expect(r.data).toEqual({
      mmsi: '445123000',
      lat: 1,
      lon: -10,
      navStatus: 1,
      at: '2026-11-01T00:00:00.000Z',
    });
  });
});

describe('a type 5 cut short', () => {
  it('yields the fields its 408 bits carry whole: IMO, call sign, name, ship type, draught', () => {
    const payload = (EVER_DIADEM[0].split(',')[5] + EVER_DIADEM[1].split(',')[5]).slice(0, 68);
    const [r] = decodedOf(new NmeaDecoder().decode(sentence(`AIVDM,1,1,,A,${payload},0`), T0));
    expect(r.data).toEqual({
      mmsi: '351759000',
      imo: '9134270',
      callsign: '3FOF8',
      name: 'EVER DIADEM',
      shipType: 70,
      draught: 12.2,
      flag: 'PA',
      at: '2026-11-01T00:00:00.000Z',
    });
  });

  it('is an error below the IMO number (70 bits)', () => {
    const payload = EVER_DIADEM[0].split(',')[5].slice(0, 11);
    const [r] = new NmeaDecoder().decode(sentence(`AIVDM,1,1,,A,${payload},0`), T0);
    expect(isNmeaError(r) && r.error).toBe('type 5 needs 70 bits, payload has 66');
  });
});

describe('"not available" values', () => {
  it('give a position without speed, course and heading (type 1, SOG 1023, COG 3600, heading 511)', () => {
    const line = toSentences(encodeClassAPosition({ mmsi: '445123000', lat: 39, lon: 125 }))[0];
    const [r] = decodedOf(new NmeaDecoder().decode(line, T0));
    expect(r.data).toEqual({
      mmsi: '445123000',
      lat: 39,
      lon: 125,
      navStatus: 15,
      at: '2026-11-01T00:00:00.000Z',
    });
  });

  it('refuse the line when even the position is not available (type 18, lat 91, lon 181)', () => {
    const line = toSentences(encodeClassBPosition({ mmsi: '445123000', lat: 91, lon: 181 }))[0];
    const [r] = new NmeaDecoder().decode(line, T0);
    expect(isNmeaError(r) && r.error).toBe('position not available (lat 91 / lon 181)');
  });
});

describe('implausible tag-block times are refused, line by line', () => {
  const line = toSentences(encodeClassAPosition({ mmsi: '445123000', lat: 39, lon: 125, sog: 3 }))[0];
  const tagged = (c: string) => {
    const content = `s:KR-BUSAN,c:${c}`;
    return `\\${content}*${nmeaChecksum(content)}\\${line}`;
  };

  it.each([
    ['year 10000 in seconds (12 digits)', '253402300800', /^bad tag block time/],
    ['1970, written with leading zeros', '0002780323', /^implausible tag block time 1970-02-02.*before 2000/],
    ['two days after receipt', String(T0 / 1000 + 2 * 86_400), /^implausible tag block time .*after receipt/],
  ])('%s', (_story, c, message) => {
    const [r] = new NmeaDecoder().decode(tagged(c), T0);
    expect(isNmeaError(r) && r.error).toMatch(message);
  });

  it('accepts seconds with a fraction and 13-digit milliseconds', () => {
    const decoder = new NmeaDecoder({ duplicateWindowMs: 1 });
    expect(decodedOf(decoder.decode(tagged(`${T0 / 1000 - 60}.5`), T0))[0].data.at).toBe(
      '2026-10-31T23:59:00.500Z',
    );
    expect(decodedOf(decoder.decode(tagged(String(T0 - 3_000)), T0))[0].data.at).toBe(
      '2026-10-31T23:59:57.000Z',
    );
  });
});
