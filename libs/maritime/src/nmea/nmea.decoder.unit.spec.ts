import { isNmeaError, NmeaDecoder, type NmeaResult, type NmeaDecoded } from './nmea.decoder';

// Sentences and expected values are published ones: gpsd's test/sample.aivdm (dumps checked with the noaadata
// tools and the Maritec decoder), the ais-stream-decoder README, and the San Francisco Bay type 1 sample used
// throughout AIS tutorials. Each value below was also reproduced with gpsd 3.22's gpsdecode.
const RECEIVED = Date.parse('2026-11-01T00:00:00Z');

/** Results of the lines, leaving out the notes that fragments are waiting for the rest. */
function decodeAll(lines: string[], receivedAt: number | null = RECEIVED): NmeaResult[] {
  const decoder = new NmeaDecoder();
  return lines
    .flatMap((line) => decoder.decode(line, receivedAt ?? undefined))
    .filter((r) => !('note' in r && r.note === 'pending'));
}

function only(lines: string[]): NmeaDecoded {
  const results = decodeAll(lines);
  expect(results.filter(isNmeaError)).toEqual([]);
  expect(results).toHaveLength(1);
  return results[0] as NmeaDecoded;
}

describe('NmeaDecoder: class A positions (types 1-3)', () => {
  it('decodes the San Francisco Bay type 1 sample', () => {
    const r = only(['!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C']);
    expect(r.kind).toBe('position');
    expect(r.data).toMatchObject({ mmsi: '366053209', sog: 0, cog: 219.3, heading: 1, navStatus: 3 });
    expect(r.data).toMatchObject({ at: '2026-11-01T00:00:00.000Z' });
    expect((r.data as { lat: number }).lat).toBeCloseTo(37.802118, 5);
    expect((r.data as { lon: number }).lon).toBeCloseTo(-122.341618, 5);
  });

  it('decodes gpsd type 1 sample 371798000 under way at 12.3 kn', () => {
    const r = only(['!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A']);
    expect(r.data).toMatchObject({ mmsi: '371798000', navStatus: 0, sog: 12.3, cog: 224, heading: 215 });
    expect((r.data as { lat: number }).lat).toBeCloseTo(48.38163333, 6);
    expect((r.data as { lon: number }).lon).toBeCloseTo(-123.39538333, 6);
  });

  it('omits a heading of 511 (not available)', () => {
    const r = only(['!AIVDM,1,1,,A,16SteH0P00Jt63hHaa6SagvJ087r,0*42']);
    expect(r.data).toMatchObject({ mmsi: '440348000', sog: 0, cog: 93.4 });
    expect(r.data).not.toHaveProperty('heading');
    expect((r.data as { lat: number }).lat).toBeCloseTo(43.08015, 6);
    expect((r.data as { lon: number }).lon).toBeCloseTo(-70.7582, 6);
  });

  it('decodes type 2 and type 3 (moored) samples', () => {
    const [t2, t3] = decodeAll([
      '!AIVDM,1,1,,B,25Cjtd0Oj;Jp7ilG7=UkKBoB0<06,0*60',
      '!AIVDM,1,1,,A,38Id705000rRVJhE7cl9n;160000,0*40',
    ]) as NmeaDecoded[];
    expect(t2.data).toMatchObject({ mmsi: '356302000', sog: 13.9, cog: 87.7, heading: 91, navStatus: 0 });
    expect(t3.data).toMatchObject({ mmsi: '563808000', sog: 0, cog: 252, heading: 352, navStatus: 5 });
    expect((t3.data as { lat: number }).lat).toBeCloseTo(36.91, 6);
  });
});

describe('NmeaDecoder: class B (types 18, 19, 24)', () => {
  it('decodes gpsd type 18 sample 338087471', () => {
    const r = only(['!AIVDM,1,1,,A,B52K>;h00Fc>jpUlNV@ikwpUoP06,0*4C']);
    expect(r.kind).toBe('position');
    expect(r.data).toMatchObject({ mmsi: '338087471', sog: 0.1, cog: 79.6 });
    expect(r.data).not.toHaveProperty('heading');
    expect(r.data).not.toHaveProperty('navStatus');
    expect((r.data as { lat: number }).lat).toBeCloseTo(40.68454, 6);
    expect((r.data as { lon: number }).lon).toBeCloseTo(-74.07213167, 6);
  });

  it('decodes gpsd type 19 sample into a position and a static report', () => {
    const results = decodeAll(['!AIVDM,1,1,,B,C5N3SRgPEnJGEBT>NhWAwwo862PaLELTBJ:V00000000S0D:R220,0*0B']);
    expect(results.map((r) => ('kind' in r ? r.kind : 'error' in r ? r.error : r.note))).toEqual([
      'position',
      'static',
    ]);
    const [pos, stat] = results as NmeaDecoded[];
    expect(pos.data).toMatchObject({ mmsi: '367059850', sog: 8.7, cog: 335.9 });
    expect((pos.data as { lat: number }).lat).toBeCloseTo(29.543695, 6);
    expect((pos.data as { lon: number }).lon).toBeCloseTo(-88.81039167, 6);
    expect(stat.data).toEqual({
      mmsi: '367059850',
      name: 'CAPT.J.RIMES',
      shipType: 70,
      flag: 'US',
      at: pos.data.at,
    });
  });

  it('decodes the type 24 part A / part B pair', () => {
    const [a, b] = decodeAll([
      '!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D',
      '!AIVDM,1,1,,A,H42O55lti4hhhilD3nink000?050,0*40',
    ]) as NmeaDecoded[];
    expect(a.data).toEqual({ mmsi: '271041815', name: 'PROGUY', flag: 'TR', at: '2026-11-01T00:00:00.000Z' });
    expect(b.data).toEqual({
      mmsi: '271041815',
      shipType: 60,
      callsign: 'TC6163',
      flag: 'TR',
      at: '2026-11-01T00:00:00.000Z',
    });
  });
});

describe('NmeaDecoder: static and voyage data (type 5, multipart)', () => {
  it('assembles gpsd EVER DIADEM two-part message', () => {
    const decoder = new NmeaDecoder();
    expect(
      decoder.decode(
        '!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C',
        RECEIVED,
      ),
    ).toEqual([
      { note: 'pending', detail: 'fragment 1 of 2 waits for the others', line: expect.any(String) },
    ]);
    expect(decoder.pendingMessages).toBe(1);
    const [r] = decoder.decode('!AIVDM,2,2,1,A,88888888880,2*25', RECEIVED) as NmeaDecoded[];
    expect(r.kind).toBe('static');
    expect(r.data).toEqual({
      mmsi: '351759000',
      imo: '9134270',
      callsign: '3FOF8',
      name: 'EVER DIADEM',
      shipType: 70,
      draught: 12.2,
      destination: 'NEW YORK',
      flag: 'PA',
      at: '2026-11-01T00:00:00.000Z',
    });
    expect(r.meta.sentences).toHaveLength(2);
    expect(decoder.pendingMessages).toBe(0);
  });

  it('decodes the ais-stream-decoder README sample (AKRA 102)', () => {
    const results = decodeAll([
      '!AIVDM,2,1,7,A,57lof8`2F5HeT<eC:204e86373:222222222221@8HQC16Ch0:RA7kAD,0*28',
      '!AIVDM,2,2,7,A,PBp888888888880,2*79',
    ]);
    expect(results).toHaveLength(1);
    expect((results[0] as NmeaDecoded).data).toMatchObject({
      mmsi: '525200930',
      imo: '9835915',
      callsign: 'YCKT2',
      name: 'AKRA 102',
      shipType: 80,
      draught: 4.2,
      destination: 'ID_MERAK',
      flag: 'ID',
    });
  });

  it('assembles messages interleaved across channels (gpsd multiplexing sample)', () => {
    const results = decodeAll([
      '!AIVDM,2,1,6,B,542M92h00001@<7;?G0PD4i@R0<tqA8tj37>220o0h:2240Ht50000000000,0*3B',
      '!AIVDM,2,1,2,A,542M92h00001@<7;?G0PD4i@R0<tqA8tj37>220o0h:2240Ht500000000000000,0*3C',
      '!AIVDM,2,2,2,A,0000002,2*24',
      '!AIVDM,2,2,6,B,00000000000,2*21',
    ]);
    expect(results.filter(isNmeaError)).toEqual([]);
    expect(results).toHaveLength(2);
    for (const r of results as NmeaDecoded[]) {
      expect(r.data).toMatchObject({
        mmsi: '271010059',
        name: 'HEALTH CONTROL 13',
        callsign: 'TCA2350',
        shipType: 55,
      });
      expect(r.data).toMatchObject({ draught: 2, flag: 'TR' });
      expect(r.data).not.toHaveProperty('imo');
      expect(r.data).not.toHaveProperty('destination');
    }
  });

  it('holds a lone second fragment, and drops a held message when its first fragment comes again', () => {
    const decoder = new NmeaDecoder();
    const lone = decoder.decode('!AIVDM,2,2,1,A,88888888880,2*25', RECEIVED);
    expect(lone).toEqual([
      { note: 'pending', detail: 'fragment 2 of 2 waits for the others', line: expect.any(String) },
    ]);
    const part1 = '!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C';
    const other = '!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp9,0*1D';
    decoder.decode(other.replace(/\*1D$/, '*1D'), RECEIVED);
    expect(decoder.pendingMessages).toBe(0); // the lone fragment 2 and the other fragment 1 made a message
    decoder.decode(part1, RECEIVED);
    const again = decoder.decode(part1, RECEIVED);
    expect((again[0] as { error: string }).error).toMatch(/^incomplete message dropped/);
  });
});

describe('NmeaDecoder: framing, checksums and time', () => {
  const sf = '!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C';

  it('rejects a sentence whose checksum does not match', () => {
    const [r] = decodeAll(['!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sb,0*5C']);
    expect(isNmeaError(r) && r.error).toMatch(/checksum mismatch/);
  });

  it('rejects sentences without checksum or with a wrong field count', () => {
    const results = decodeAll([
      '!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0',
      '!AIVDM,1,1,B,15M67FC000G?ufbE`FepT@3n00Sa,0*70',
      'hello',
    ]);
    expect(results.map((r) => isNmeaError(r) && r.error)).toEqual([
      'checksum missing',
      'expected 7 fields, found 6',
      expect.stringMatching(/^not an NMEA sentence/),
    ]);
  });

  it('skips NMEA sentences other than AIS, counting them', () => {
    const decoder = new NmeaDecoder();
    const results = [
      '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47',
      '$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A',
      '$ARVSI,r003669945,,233948.825,1664,-115,0*1E',
    ].flatMap((line) => decoder.decode(line, RECEIVED));
    expect(results.map((r) => 'note' in r && `${r.note}: ${r.detail}`)).toEqual([
      'skipped: GPGGA is not an AIS sentence',
      'skipped: GPRMC is not an AIS sentence',
      'skipped: ARVSI is not an AIS sentence',
    ]);
    expect(decoder.stats).toMatchObject({ otherSentences: 3, errors: 0 });
  });

  it('takes the time and station from a tag block, ahead of the receive time given', () => {
    const decoder = new NmeaDecoder();
    const [r] = decoder.decode(`\\s:rORBCOMM001,c:1700000000*2A\\${sf}`, RECEIVED) as NmeaDecoded[];
    expect(r.data.at).toBe('2023-11-14T22:13:20.000Z');
    expect(r.meta.station).toBe('rORBCOMM001');
    expect(r.meta.sentences).toEqual([sf]);
  });

  it('rejects a tag block with a bad checksum', () => {
    const [r] = decodeAll([`\\c:1700000000*5E\\${sf}`]);
    expect(isNmeaError(r) && r.error).toMatch(/tag block checksum mismatch/);
  });

  it('takes time and station from a USCG receiver trailer', () => {
    const [r] = decodeAll(
      [`${sf},s28089,d-103,T39.44353985,x147521,r08TPHI1,1242958962`],
      null,
    ) as NmeaDecoded[];
    expect(r.data.at).toBe('2009-05-22T02:22:42.000Z');
    expect(r.meta.station).toBe('08TPHI1');
  });

  it('joins tag-block groups: time of the first fragment, station named once', () => {
    const results = decodeAll(
      [
        '\\g:1-2-0042,s:KR-INCHEON,c:1793491200*36\\!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C',
        '\\g:2-2-0042*5B\\!AIVDM,2,2,1,A,88888888880,2*25',
      ],
      null,
    );
    expect(results.filter(isNmeaError)).toEqual([]);
    const [r] = results as NmeaDecoded[];
    expect(r.data).toMatchObject({ mmsi: '351759000', name: 'EVER DIADEM', at: '2026-11-01T00:00:00.000Z' });
    expect(r.meta.station).toBe('KR-INCHEON');
  });

  it('needs a time: no tag block and no receive time is an error', () => {
    const [r] = decodeAll([sf], null);
    expect(isNmeaError(r) && r.error).toMatch(/^no time/);
  });

  it('skips message types it does not use, counting them', () => {
    const decoder = new NmeaDecoder();
    expect(decoder.decode('!AIVDM,1,1,,A,403OviQuMGCqWrRO9>E6fE700@GO,0*4D', RECEIVED)).toEqual([
      { note: 'skipped', detail: 'AIS message type 4 is not used', line: expect.any(String) },
    ]);
    expect(decoder.stats).toMatchObject({ sentences: 1, messages: 0, unsupported: 1, errors: 0 });
  });

  it('accepts !AIVDO (own ship) sentences', () => {
    const body = 'AIVDO,1,1,,,15M67FC000G?ufbE`FepT@3n00Sa,0';
    const checksum = [...body]
      .reduce((x, c) => x ^ c.charCodeAt(0), 0)
      .toString(16)
      .toUpperCase()
      .padStart(2, '0');
    const [r] = decodeAll([`!${body}*${checksum}`]) as NmeaDecoded[];
    expect(r.data.mmsi).toBe('366053209');
  });
});
