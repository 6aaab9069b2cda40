import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { AidwatchMetrics } from '@aidwatch/observability';
import { AisTcpSourceClient, AisUdpListener, MAX_NMEA_LINE, type NmeaSink } from './ais-socket-listeners';

const log = { warn: () => undefined, info: () => undefined };
const SENTENCE = '!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24';

/** A sink that records what it is handed, held back until `release()` when `hold` is set. */
function recordingSink(hold = false) {
  const calls: Array<{ text: string; station: string }> = [];
  let release!: () => void;
  const gate = hold ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
  const sink: NmeaSink = async (text, _at, station) => {
    await gate;
    calls.push({ text, station });
  };
  return { sink, calls, release: () => release?.() };
}

const counter = async (metrics: AidwatchMetrics, outcome: string) =>
  (await metrics.aisListenerDatagrams.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;

describe('AisUdpListener on loopback', () => {
  it('drops and counts datagrams beyond a full backlog, keeping the order of the rest', async () => {
    const metrics = new AidwatchMetrics({ defaultMetrics: false });
    const { sink, calls, release } = recordingSink(true);
    const listener = new AisUdpListener({
      host: '127.0.0.1',
      port: 0,
      stations: [{ station: 'rx', address: '127.0.0.1' }],
      sink,
      metrics,
      log,
      backlogLines: 5,
    });
    const port = await listener.start();
    const sender = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve));
    for (let i = 0; i < 8; i++)
      await new Promise<void>((resolve) =>
        sender.send(`${SENTENCE} ${i}`, port, '127.0.0.1', () => resolve()),
      );
    sender.close();
    const deadline = Date.now() + 5000;
    while (
      (await counter(metrics, 'accepted')) + (await counter(metrics, 'overflow')) < 8 &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 20));
    release();
    await listener.close();
    expect(await counter(metrics, 'accepted')).toBe(5);
    expect(await counter(metrics, 'overflow')).toBe(3);
    const lines = calls.flatMap((c) => c.text.split('\n'));
    expect(lines).toEqual([0, 1, 2, 3, 4].map((i) => `${SENTENCE} ${i}`));
    expect(new Set(calls.map((c) => c.station))).toEqual(new Set(['rx']));
  });

  it('refuses to start on a port already bound', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    const listener = new AisUdpListener({
      host: '127.0.0.1',
      port: taken.address().port,
      stations: [{ station: 'rx', address: '127.0.0.1' }],
      sink: recordingSink().sink,
      metrics: new AidwatchMetrics({ defaultMetrics: false }),
      log,
    });
    await expect(listener.start()).rejects.toThrow(/EADDRINUSE/);
    taken.close();
    await listener.close();
  });
});

describe('AisTcpSourceClient on loopback', () => {
  it('reads lines split across packets, drops a line too long, and reconnects when refused at first', async () => {
    // Reserve a port, then start the server only after the client has been refused once.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    const metrics = new AidwatchMetrics({ defaultMetrics: false });
    const { sink, calls } = recordingSink();
    const client = new AisTcpSourceClient({
      station: 'gw',
      host: '127.0.0.1',
      port,
      sink,
      metrics,
      log,
      reconnectMaxMs: 200,
      reconnectInitialMs: 50,
    });
    client.start();
    await new Promise((r) => setTimeout(r, 150));
    const server = net.createServer((socket) => {
      socket.write(`${SENTENCE.slice(0, 20)}`);
      setTimeout(() => {
        socket.write(`${SENTENCE.slice(20)}\r\n${'X'.repeat(MAX_NMEA_LINE + 1)}\r\n${SENTENCE}`);
        socket.end();
      }, 20);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const deadline = Date.now() + 5000;
    while (calls.flatMap((c) => c.text.split('\n')).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await client.close();
    await new Promise((resolve) => server.close(resolve));
    expect(calls.flatMap((c) => c.text.split('\n'))).toEqual([SENTENCE, SENTENCE]);
    expect(await counter(metrics, 'too_long')).toBe(1);
    const reconnects = (await metrics.aisListenerReconnects.get()).values[0]?.value ?? 0;
    expect(reconnects).toBeGreaterThanOrEqual(1);
  });

  it('backs off from a server that accepts and closes at once, instead of retrying at the first delay', async () => {
    let accepted = 0;
    const server = net.createServer((socket) => {
      accepted += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const warnings: object[] = [];
    const client = new AisTcpSourceClient({
      station: 'gw',
      host: '127.0.0.1',
      port,
      sink: recordingSink().sink,
      metrics: new AidwatchMetrics({ defaultMetrics: false }),
      log: { warn: (details) => warnings.push(details), info: () => undefined },
      reconnectMaxMs: 60_000,
      reconnectInitialMs: 50,
    });
    client.start();
    await new Promise((r) => setTimeout(r, 1500));
    await client.close();
    await new Promise((resolve) => server.close(resolve));
    // 50, 100, 200, 400, 800 ms (each drawn between half and all of it): at most 6 connections in 1.5 s;
    // a backoff that started over at every accepted connection would make 15 or more.
    expect(accepted).toBeGreaterThanOrEqual(3);
    expect(accepted).toBeLessThanOrEqual(8);
    // Warnings carry the reason, not a stack.
    for (const w of warnings) expect(JSON.stringify(w)).not.toMatch(/stack|\\n\s+at /);
  });
});
