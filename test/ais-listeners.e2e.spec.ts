import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { encodeClassAPosition, encodeStaticVoyage, tagBlock, toSentences } from '@aidwatch/maritime';
import { AisListenersService } from '../apps/ingestor/src/ais-listeners.service';
import { startTestSystem, type TestSystem } from './support/aidwatch-process';

// A receiver log as AIS-catcher or a shipboard gateway sends it (tag-block times, multipart static data,
// other NMEA and a broken checksum mixed in), sent by a real UDP peer, a real TCP server and over HTTP,
// each for its own vessels (so the duplicate window across stations does not merge them). What each
// stores must be the same, line for line.

const VESSELS = 4;
const REPORTS = 6;
const C0 = Math.floor(Date.now() / 1000) - 3600;
const mmsiOf = (base: number, k: number) => String(base + k);

function receiverLog(base: number): string[] {
  const lines: string[] = ['$GPRMC,233948,A,3844.120,N,12522.560,E,000.0,000.0,291126,,,A*6C'];
  for (let k = 0; k < VESSELS; k++) {
    lines.push(
      ...toSentences(
        encodeStaticVoyage({ mmsi: mmsiOf(base, k), imo: '9074729', name: `RX TEST ${k}`, draught: 6.5 }),
        { sequenceId: k, tagBlock: { c: C0 + k } },
      ),
    );
    for (let i = 0; i < REPORTS; i++) {
      const sentence = toSentences(
        encodeClassAPosition({ mmsi: mmsiOf(base, k), lat: 38 + i / 100, lon: 124 + k / 10, sog: 5 + i }),
      )[0];
      lines.push(`${tagBlock({ c: C0 + 60 + i * 60 + k })}${sentence}`);
    }
  }
  const broken = lines[3].replace(/\*[0-9A-F]{2}$/, '*00');
  return [...lines, broken];
}

interface StreamEvent {
  type: string;
  event: { source: string; time: string; data: Record<string, unknown> };
}

describe('AIS over UDP and TCP (AIS_UDP_PORT, AIS_TCP_SOURCES)', () => {
  jest.setTimeout(60_000);
  let system: TestSystem;
  let tcpServer: net.Server;
  let tcpConnections = 0;
  const tcpLog = receiverLog(445_200_000).join('\r\n') + '\r\n';

  const stream = async (mmsi: string): Promise<StreamEvent[]> =>
    ((await (await system.fetch(`${system.url}/streams/vessel-${mmsi}`)).json()) as { events: StreamEvent[] })
      .events;
  /** Each vessel's stored events with the MMSI taken out, to compare feeds of different vessels. */
  const storedOf = async (base: number) => {
    const out: unknown[] = [];
    for (let k = 0; k < VESSELS; k++)
      for (const e of await stream(mmsiOf(base, k)))
        out.push({ type: e.type, time: e.event.time, data: { ...e.event.data, mmsi: k } });
    return out;
  };
  const until = async (probe: () => Promise<boolean>, what: string) => {
    const deadline = Date.now() + 20_000;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const metric = async (pattern: RegExp): Promise<number> => {
    const text = await (await system.fetch(`${system.url}/metrics`)).text();
    const m = pattern.exec(text);
    return m ? Number(m[1]) : 0;
  };

  beforeAll(async () => {
    // A receiver's NMEA TCP server: the first connection gets half the log and is cut mid-line; the
    // next gets the rest (the client must reconnect).
    const cut = Math.floor(tcpLog.length / 2) + 7;
    tcpServer = net.createServer((socket) => {
      tcpConnections += 1;
      if (tcpConnections === 1) socket.end(tcpLog.slice(0, cut).replace(/[^\n]*$/, ''));
      else socket.end(tcpLog.slice(tcpLog.slice(0, cut).replace(/[^\n]*$/, '').length));
    });
    await new Promise<void>((resolve) => tcpServer.listen(0, '127.0.0.1', resolve));
    const tcpPort = (tcpServer.address() as net.AddressInfo).port;
    system = await startTestSystem({
      AIS_UDP_PORT: '0',
      AIS_UDP_STATIONS: 'rx-udp=127.0.0.1',
      AIS_TCP_SOURCES: `rx-tcp=127.0.0.1:${tcpPort}`,
      AIS_TCP_RECONNECT_MAX_MS: '500',
    });
  });
  afterAll(async () => {
    await system?.stop();
    await new Promise((resolve) => tcpServer?.close(resolve));
  });

  it('stores what a UDP sender sends (one or more sentences a datagram) as HTTP stores it', async () => {
    const http = await system.fetch(`${system.url}/ais/nmea?station=rx-http`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: receiverLog(445_100_000).join('\r\n'),
    });
    expect(http.status).toBe(202);
    const expected = await storedOf(445_100_000);
    expect(expected).toHaveLength(VESSELS * (REPORTS + 1));

    const lines = receiverLog(445_300_000);
    const sender = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve));
    const port = system.app.get(AisListenersService).udpPort as number;
    for (let i = 0; i < lines.length;) {
      const n = i % 3 === 0 ? 3 : 1;
      const datagram = lines.slice(i, i + n).join('\r\n');
      await new Promise<void>((resolve, reject) =>
        sender.send(datagram, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
      );
      i += n;
    }
    sender.close();
    await until(async () => (await storedOf(445_300_000)).length >= expected.length, 'the UDP feed');
    await system.app.get(AisListenersService).idle();
    expect(await storedOf(445_300_000)).toEqual(expected);
    expect((await stream(mmsiOf(445_300_000, 0)))[0].event.source).toBe('nmea:rx-udp');
  });

  it('stores what a TCP receiver sends, across a reconnection, as HTTP stores it', async () => {
    const expected = await storedOf(445_100_000);
    await until(async () => (await storedOf(445_200_000)).length >= expected.length, 'the TCP feed');
    expect(await storedOf(445_200_000)).toEqual(expected);
    expect(tcpConnections).toBeGreaterThanOrEqual(2);
    expect((await stream(mmsiOf(445_200_000, 1)))[0].event.source).toBe('nmea:rx-tcp');
    expect(
      await metric(/aidwatch_ais_listener_reconnects_total\{station="rx-tcp"\} (\d+)/),
    ).toBeGreaterThanOrEqual(1);
  });

  it('drops datagrams from senders no station is configured for, and counts them', async () => {
    const stranger = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.2', resolve));
    const port = system.app.get(AisListenersService).udpPort as number;
    const line = receiverLog(445_400_000)[3];
    await new Promise<void>((resolve, reject) =>
      stranger.send(line, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
    stranger.close();
    await until(
      async () => (await metric(/outcome="unknown_sender"\} (\d+)/)) >= 1,
      'the unknown sender to be counted',
    );
    expect(await stream(mmsiOf(445_400_000, 0))).toEqual([]);
    expect(await metric(/aidwatch_ais_listener_lines_total\{transport="udp",station="rx-udp"\} (\d+)/)).toBe(
      receiverLog(445_300_000).length,
    );
  });

  it('refuses a UDP line whose tag block claims another station, and counts accepted lines', async () => {
    const sender = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve));
    const port = system.app.get(AisListenersService).udpPort as number;
    const line = receiverLog(445_500_000)
      .at(-1)!
      .replace(/^\\[^\\]*\\/, '');
    const claimed = `${tagBlock({ s: 'rx-tcp', c: C0 + 100 })}${line}`;
    const before = await metric(/aidwatch_ais_lines_total\{outcome="rejected"\} (\d+)/);
    await new Promise<void>((resolve, reject) =>
      sender.send(claimed, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
    sender.close();
    await until(
      async () => (await metric(/aidwatch_ais_lines_total\{outcome="rejected"\} (\d+)/)) > before,
      'the claimed line to be refused',
    );
    await system.app.get(AisListenersService).idle();
    expect(await storedOf(445_500_000)).toEqual([]);
    expect(await metric(/aidwatch_ais_lines_total\{outcome="accepted"\} (\d+)/)).toBeGreaterThan(0);
  });
});
