// NMEA over UDP on loopback: the highest datagram rate the AIS UDP listener takes with no loss, each
// datagram decoded and stored through the intake path (embedded store) as POST /ais/nmea would.
// Run: npm run bench:ais-udp
//
// Env: BENCH_RATES (datagrams/s to try, default 2000,5000,10000,20000,40000), BENCH_SECONDS (per rate, 3),
// BENCH_DIR (temp dir for the store). A sender on a worker thread paces one sentence per datagram.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { AisUdpListener, EventIntake, udpReceiveBufferErrors } from '@aidwatch/intake';
import { encodeClassAPosition, tagBlock, toSentences } from '@aidwatch/maritime';
import { AidwatchMetrics } from '@aidwatch/observability';

const RATES = (process.env.BENCH_RATES ?? '2000,5000,10000,20000,40000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

const SENDER = `
const dgram = require('node:dgram');
const { parentPort, workerData } = require('node:worker_threads');
const { port, rate, lines } = workerData;
const socket = dgram.createSocket('udp4');
socket.bind(0, '127.0.0.1', () => {
  const start = process.hrtime.bigint();
  let sent = 0;
  const tick = () => {
    const due = Math.min(lines.length, Math.floor((Number(process.hrtime.bigint() - start) / 1e9) * rate));
    while (sent < due) socket.send(lines[sent++], port, '127.0.0.1');
    if (sent < lines.length) setTimeout(tick, 1);
    else setTimeout(() => { socket.close(); parentPort.postMessage(sent); }, 50);
  };
  tick();
});
`;

/** Distinct position reports (1,000 vessels, times in the past), one NMEA line each. */
function sentences(count: number, offset: number): string[] {
  const c0 = Math.floor(Date.now() / 1000) - 7200;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = offset + i;
    const mmsi = String(445_000_000 + (n % 1000));
    const sentence = toSentences(
      encodeClassAPosition({
        mmsi,
        lat: 30 + (n % 997) / 1000,
        lon: 120 + Math.floor(n / 1000) / 10000,
        sog: 7,
      }),
    )[0];
    out.push(`${tagBlock({ c: c0 + Math.floor(n / 1000) })}${sentence}`);
  }
  return out;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'aidwatch-bench-udp-'));
  const store = new EmbeddedEventStore({ path: path.join(root, 'events.sqlite') });
  const metrics = new AidwatchMetrics({ defaultMetrics: false });
  const intake = new EventIntake(store, metrics);
  const log = { warn: (d: object, m: string) => console.warn(m, d), info: () => undefined };
  const listener = new AisUdpListener({
    host: '127.0.0.1',
    port: 0,
    stations: [{ station: 'bench', address: '127.0.0.1' }],
    sink: (text, at, station) => intake.ingestNmeaText(text, at, station),
    metrics,
    log,
  });
  const port = await listener.start();
  const accepted = async () =>
    (await metrics.aisListenerDatagrams.get()).values.find((v) => v.labels.outcome === 'accepted')?.value ??
    0;
  const stored = async () => (await metrics.eventsIngested.get()).values.reduce((sum, v) => sum + v.value, 0);
  console.log('rate (datagrams/s)   sent   received   stored   lost   kernel drops   stored/s');
  let best = 0;
  let offset = 0;
  try {
    for (const rate of RATES) {
      const lines = sentences(rate * SECONDS, offset);
      offset += lines.length;
      const [before, storedBefore, dropsBefore] = [
        await accepted(),
        await stored(),
        udpReceiveBufferErrors(),
      ];
      const started = performance.now();
      const sent = await new Promise<number>((resolve, reject) => {
        const worker = new Worker(SENDER, { eval: true, workerData: { port, rate, lines } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await listener.idle();
      const seconds = (performance.now() - started) / 1000;
      const received = (await accepted()) - before;
      const newStored = (await stored()) - storedBefore;
      const drops = (udpReceiveBufferErrors() ?? 0) - (dropsBefore ?? 0);
      const lost = sent - received;
      if (lost === 0 && newStored === sent) best = rate;
      console.log(
        `${fmt(rate).padStart(18)} ${fmt(sent).padStart(7)} ${fmt(received).padStart(10)} ${fmt(newStored).padStart(8)} ` +
          `${fmt(lost).padStart(6)} ${fmt(drops).padStart(14)} ${fmt(newStored / seconds).padStart(10)}`,
      );
    }
  } finally {
    await listener.close();
    await store.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(`highest rate with no loss: ${fmt(best)} datagrams/s (one sentence each, all stored)`);
}

void main();
