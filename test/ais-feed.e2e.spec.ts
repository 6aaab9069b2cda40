import { EventTypes } from '@aidwatch/domain';
import {
  encodeClassAPosition,
  encodeClassBPosition,
  nmeaChecksum,
  tagBlock,
  toSentences,
} from '@aidwatch/maritime';
import { startTestSystem, type TestSystem } from './support/aidwatch-process';

// A raw receiver log as feeds send it: other NMEA sentences mixed in, an orphan fragment whose first part
// comes in the next request, a broken checksum, "not available" values, a tag block from year 10000, and the
// same report relayed by a second station. Every decodable report is stored; every other line is named.

interface LineReport {
  line: number;
  reason: string;
}
interface FeedAnswer {
  accepted: string[];
  rejected: LineReport[];
  skipped: LineReport[];
  pending: LineReport[];
}

describe('POST /ais/nmea with a raw receiver log', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  const c = Math.floor(Date.now() / 1000) - 600;
  const position = toSentences(
    encodeClassAPosition({ mmsi: '445123000', lat: 38.7, lon: 125.2, sog: 8.4 }),
  )[0];
  const noSpeed = toSentences(
    encodeClassAPosition({ mmsi: '445456000', lat: 39.1, lon: 124.9, navStatus: 1 }),
  )[0];
  const allUnavailable = toSentences(encodeClassBPosition({ mmsi: '445789000', lat: 91, lon: 181 }))[0];
  const year10000 = `\\c:253402300800*${nmeaChecksum('c:253402300800')}\\${position}`;
  const akra = [
    '!AIVDM,2,1,7,A,57lof8`2F5HeT<eC:204e86373:222222222221@8HQC16Ch0:RA7kAD,0*28',
    '!AIVDM,2,2,7,A,PBp888888888880,2*79',
  ];
  const everDiadem = [
    '!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C',
    '!AIVDM,2,2,1,A,88888888880,2*25',
  ];
  const log = [
    '$GPRMC,233948,A,3844.120,N,12522.560,E,000.0,000.0,291126,,,A*6C',
    `${tagBlock({ s: 'KR-BUSAN', c })}${position}`,
    akra[1],
    position.replace(/\*[0-9A-F]{2}$/, '*00'),
    allUnavailable,
    '$ARVSI,r003669945,,233948.825,1664,-115,0*1E',
    noSpeed,
    year10000,
    ...everDiadem,
    `${tagBlock({ s: 'JP-MOJI', c: c + 1 })}${position}`,
    '',
  ].join('\r\n');

  const post = async (body: string, station = 'test-rx') => {
    const res = await system.fetch(`${system.url}/ais/nmea?station=${station}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body,
    });
    return { status: res.status, body: (await res.json()) as FeedAnswer };
  };
  const stream = async (mmsi: string) =>
    (
      (await (await system.fetch(`${system.url}/streams/vessel-${mmsi}`)).json()) as {
        events: Array<{ type: string; event: { data: Record<string, unknown> } }>;
      }
    ).events;

  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('stores every decodable report and names every line it did not store, with the reason', async () => {
    const { status, body } = await post(log);
    expect(status).toBe(202);
    expect(body.accepted).toHaveLength(3);
    expect(body.rejected.map((r) => [r.line, r.reason])).toEqual([
      [4, expect.stringMatching(/^checksum mismatch/)],
      [5, 'position not available (lat 91 / lon 181)'],
      [8, expect.stringMatching(/^bad tag block time/)],
    ]);
    expect(body.skipped.map((r) => [r.line, r.reason])).toEqual([
      [1, 'GPRMC is not an AIS sentence'],
      [6, 'ARVSI is not an AIS sentence'],
      [11, 'the same message was received moments before'],
    ]);
    expect(body.pending.map((r) => r.line)).toEqual([3, 9]);

    const [busan] = await stream('445123000');
    expect(busan.event).toMatchObject({ source: 'nmea:KR-BUSAN', data: { sog: 8.4 } });
    expect(await stream('445123000')).toHaveLength(1);
    const [moored] = await stream('445456000');
    expect(moored.event.data).toEqual(expect.not.objectContaining({ sog: expect.anything() }));
    expect(moored.event.data).toMatchObject({ lat: 39.1, lon: 124.9, navStatus: 1 });
    expect((await stream('351759000'))[0].type).toBe(EventTypes.VesselStaticReported);
  });

  it('completes the orphan fragment when its first part comes in a later request', async () => {
    const { status, body } = await post(akra[0]);
    expect(status).toBe(202);
    expect(body.accepted).toHaveLength(1);
    const [akra102] = await stream('525200930');
    expect(akra102.event.data).toMatchObject({ name: 'AKRA 102', imo: '9835915' });
  });

  it('counts the lines it did not store in the metrics', async () => {
    const text = await (await system.fetch(`${system.url}/metrics`)).text();
    expect(text).toMatch(/aidwatch_ais_lines_total\{outcome="rejected"\} 3/);
    expect(text).toMatch(/aidwatch_ais_lines_total\{outcome="skipped"\} 3/);
  });
});
